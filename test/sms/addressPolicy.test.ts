import { networkInterfaces } from 'node:os';
import { expect } from 'chai';
import { addressRefusal } from '../../core/sms/addressPolicy.js';

const strict = { allowPrivateNetworks: false, ownAddresses: () => [] };
const permissive = { allowPrivateNetworks: true, ownAddresses: () => [] };

/** One address inside every special-purpose range, with what the refusal calls it. */
const refusedEverywhere: [string, string][] = [
  ['0.1.2.3', 'an unspecified address'], // 0.0.0.0/8
  ['169.254.169.254', 'a link-local address'], // cloud metadata
  ['192.0.0.8', 'a reserved address'], // 192.0.0.0/24
  ['192.0.2.10', 'a reserved address'], // TEST-NET-1
  ['192.88.99.1', 'a reserved address'], // 6to4 relay anycast
  ['198.18.0.1', 'a reserved address'], // 198.18.0.0/15 (benchmarking)
  ['198.19.255.254', 'a reserved address'],
  ['198.51.100.7', 'a reserved address'], // TEST-NET-2
  ['203.0.113.9', 'a reserved address'], // TEST-NET-3
  ['224.0.0.1', 'a multicast address'], // 224/4
  ['239.255.255.250', 'a multicast address'],
  ['240.0.0.1', 'a reserved address'], // 240/4
  ['255.255.255.255', 'the broadcast address'],
  ['192.175.48.1', 'an AS112 address'],
  ['192.52.193.1', 'an AMT address'],
  ['::', 'an unspecified address'],
  ['fe80::1', 'a link-local address'],
  ['fe80::1%eth0', 'a link-local address'],
  ['ff02::1', 'a multicast address'],
  ['100::1', 'a discard-only address'],
  ['2001::1', 'a Teredo address'],
  ['2001:db8::1', 'a reserved address'],
  ['2001:2::1', 'a benchmarking address'],
  ['64:ff9b:1::a00:1', 'a local-use NAT64 address'], // RFC 8215 local-use prefix: never global
  // IPv6 forms that embed an IPv4 address are judged by that address
  ['::ffff:169.254.169.254', 'the IPv4-mapped form of a link-local address (169.254.169.254)'],
  ['64:ff9b::a9fe:a9fe', 'the NAT64 form of a link-local address (169.254.169.254)'],
  ['2002:a9fe:a9fe::1', 'the 6to4 form of a link-local address (169.254.169.254)'],
  // (hex: ipaddr.js reads the dotted `::a.b.c.d` as IPv4-mapped, refused all the same)
  ['::a9fe:a9fe', 'the IPv4-compatible form of a link-local address (169.254.169.254)'],
  ['::169.254.169.254', 'the IPv4-mapped form of a link-local address (169.254.169.254)'],
  ['::ffff:0:a9fe:a9fe', 'the IPv4-translated form of a link-local address (169.254.169.254)'],
  ['not-an-ip', 'not an IP address'],
];

/** Private ranges: refused unless the operator allows private networks. */
const privateOnly: [string, string][] = [
  ['10.1.2.3', 'a private address'],
  ['172.16.0.1', 'a private address'],
  ['172.31.255.254', 'a private address'],
  ['192.168.1.1', 'a private address'],
  ['127.0.0.1', 'a loopback address'],
  ['127.255.0.9', 'a loopback address'],
  ['100.64.0.1', 'a carrier-grade NAT address'],
  ['100.127.255.254', 'a carrier-grade NAT address'],
  ['::1', 'a loopback address'],
  ['fc00::1', 'a unique local address'],
  ['fd12:3456::1', 'a unique local address'],
  ['fec0::1', 'a site-local address'],
  ['::ffff:127.0.0.1', 'the IPv4-mapped form of a loopback address (127.0.0.1)'],
  ['::ffff:10.0.0.1', 'the IPv4-mapped form of a private address (10.0.0.1)'],
  ['64:ff9b::10.0.0.1', 'the NAT64 form of a private address (10.0.0.1)'],
  ['64:ff9b::7f00:1', 'the NAT64 form of a loopback address (127.0.0.1)'],
  ['2002:c0a8:0101::1', 'the 6to4 form of a private address (192.168.1.1)'],
  ['2002:7f00:1::', 'the 6to4 form of a loopback address (127.0.0.1)'],
  ['::a00:1', 'the IPv4-compatible form of a private address (10.0.0.1)'],
  ['::7f00:1', 'the IPv4-compatible form of a loopback address (127.0.0.1)'],
  ['::ffff:0:10.0.0.1', 'the IPv4-translated form of a private address (10.0.0.1)'],
];

const publicAddresses = [
  '93.184.215.14',
  '8.8.8.8',
  '1.1.1.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '64:ff9b::808:808',
  '2002:808:808::1',
  '::ffff:8.8.8.8',
  '::808:808',
];

describe('the address policy (ipaddr.js ranges, embedded IPv4, this host)', () => {
  it('refuses every special-purpose range, whatever the operator allows', () => {
    for (const [address, kind] of refusedEverywhere) {
      expect(addressRefusal(address, strict), address).to.deep.equal({ kind, allowedWithPrivateNetworks: false });
      expect(addressRefusal(address, permissive), `${address} with private networks allowed`).to.deep.equal({
        kind,
        allowedWithPrivateNetworks: false,
      });
    }
  });

  it('refuses the private ranges unless sms.allowPrivateNetworks', () => {
    for (const [address, kind] of privateOnly) {
      expect(addressRefusal(address, strict), address).to.deep.equal({ kind, allowedWithPrivateNetworks: true });
      expect(addressRefusal(address, permissive), `${address} with private networks allowed`).to.equal(undefined);
    }
  });

  it('lets global unicast addresses through, IPv6 forms of public IPv4 ones included', () => {
    for (const address of publicAddresses) expect(addressRefusal(address, strict), address).to.equal(undefined);
  });

  it("refuses this host's own addresses, public ones too, in any form", () => {
    const own = { allowPrivateNetworks: false, ownAddresses: () => ['93.184.215.14', '2606:4700::6810:85e5', 'fe80::1%eth0'] };
    for (const address of ['93.184.215.14', '::ffff:93.184.215.14', '64:ff9b::5db8:d70e', '2606:4700:0:0:0:0:6810:85e5']) {
      expect(addressRefusal(address, own), address).to.deep.include({ allowedWithPrivateNetworks: true });
      expect(addressRefusal(address, own)!.kind, address).to.match(/this host's own address/);
    }
    expect(addressRefusal('8.8.8.8', own)).to.equal(undefined);
  });

  it("refuses every address of this host's interfaces (os.networkInterfaces, read by default)", () => {
    const addresses = Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
    expect(addresses.length).to.be.greaterThan(0);
    for (const address of addresses) expect(addressRefusal(address, { allowPrivateNetworks: false }), address).not.to.equal(undefined);
  });
});
