import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a tenant's SMS provider may be reached at. The special-purpose ranges are ipaddr.js's
 * (RFC 6890 and successors, kept up to date there rather than in a hand list here): every range other than
 * global `unicast` is refused, and so is every address of this host's own interfaces. An IPv6 address that
 * embeds an IPv4 one (IPv4-mapped, IPv4-translated, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, the deprecated
 * IPv4-compatible `::/96`) is judged by the IPv4 address it leads to.
 *
 * `allowPrivateNetworks` (the operator's `sms.allowPrivateNetworks`: tests, demos, on-premise gateways) lets
 * the private ranges through: RFC 1918, loopback, carrier-grade NAT, unique local and site-local IPv6, and
 * this host's addresses. Link-local (cloud metadata at 169.254.169.254), multicast, broadcast, unspecified
 * and reserved ranges stay refused even then: no gateway lives there.
 */
export interface AddressPolicy {
  allowPrivateNetworks: boolean;
  /** This host's addresses; `os.networkInterfaces()` by default, read at each check (interfaces change). */
  ownAddresses?: () => Iterable<string>;
}

/** What a refusal says about the address, and whether the operator's flag would have allowed it. */
export interface Refusal {
  /** A noun phrase: `a loopback address`, `this host's own address`, `the NAT64 form of a private address (10.0.0.1)`. */
  kind: string;
  allowedWithPrivateNetworks: boolean;
}

const privateRanges = new Set(['private', 'loopback', 'carrierGradeNat', 'uniqueLocal', 'deprecatedSiteLocal']);

const rangeNames: Record<string, string> = {
  private: 'a private',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT',
  uniqueLocal: 'a unique local',
  deprecatedSiteLocal: 'a site-local',
  linkLocal: 'a link-local',
  unspecified: 'an unspecified',
  broadcast: 'the broadcast',
  multicast: 'a multicast',
  reserved: 'a reserved',
  benchmarking: 'a benchmarking',
  rfc6052: 'a local-use NAT64',
  teredo: 'a Teredo',
  discard: 'a discard-only',
  as112: 'an AS112',
  as112v6: 'an AS112',
  amt: 'an AMT',
  orchid2: 'an ORCHIDv2',
  deprecatedOrchid: 'an ORCHID',
  droneRemoteIdProtocolEntityTags: 'a drone remote ID',
  segmentRouting: 'a segment routing',
};

const nat64 = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/** Why `address` may not be connected to under `policy`, or undefined when it may. */
export function addressRefusal(address: string, policy: AddressPolicy): Refusal | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/%.*$/, ''));
  } catch {
    return { kind: 'not an IP address', allowedWithPrivateNetworks: false };
  }
  return judge(ip, policy, ownAddressSet(policy));
}

function judge(ip: ipaddr.IPv4 | ipaddr.IPv6, policy: AddressPolicy, own: ReadonlySet<string>): Refusal | undefined {
  const embedded = ip.kind() === 'ipv6' ? embeddedIPv4(ip as ipaddr.IPv6) : undefined;
  if (embedded) {
    const inner = judge(embedded.ipv4, policy, own);
    return (
      inner && {
        kind: `the ${embedded.how} of ${inner.kind} (${embedded.ipv4.toString()})`,
        allowedWithPrivateNetworks: inner.allowedWithPrivateNetworks,
      }
    );
  }
  const range = ip.range();
  // a special range names the address best; a global one can still be this host's own (its public address)
  const refusal =
    range !== 'unicast'
      ? { kind: `${rangeNames[range] ?? `a special-purpose (${range})`} address`, allowedWithPrivateNetworks: privateRanges.has(range) }
      : own.has(normalized(ip))
        ? { kind: "this host's own address", allowedWithPrivateNetworks: true }
        : undefined;
  if (refusal?.allowedWithPrivateNetworks && policy.allowPrivateNetworks) return undefined;
  return refusal;
}

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one. */
function embeddedIPv4(ip: ipaddr.IPv6): { ipv4: ipaddr.IPv4; how: string } | undefined {
  const p = ip.parts;
  const last32 = () => new ipaddr.IPv4([p[6]! >> 8, p[6]! & 0xff, p[7]! >> 8, p[7]! & 0xff]);
  switch (ip.range()) {
    case 'ipv4Mapped':
      return { ipv4: last32(), how: 'IPv4-mapped form' };
    case 'rfc6145':
      return { ipv4: last32(), how: 'IPv4-translated form' };
    case 'rfc6052':
      // 64:ff9b::/96 embeds in its last 32 bits; the local-use 64:ff9b:1::/48 is refused as a range
      return ip.match(nat64) ? { ipv4: last32(), how: 'NAT64 form' } : undefined;
    case '6to4':
      return { ipv4: new ipaddr.IPv4([p[1]! >> 8, p[1]! & 0xff, p[2]! >> 8, p[2]! & 0xff]), how: '6to4 form' };
    case 'unicast':
      // ::a.b.c.d (deprecated IPv4-compatible); `::` and `::1` are ranges of their own
      return p.slice(0, 6).every((part) => part === 0) ? { ipv4: last32(), how: 'IPv4-compatible form' } : undefined;
    default:
      return undefined;
  }
}

function ownAddressSet(policy: AddressPolicy): Set<string> {
  const own = new Set<string>();
  for (const address of policy.ownAddresses?.() ?? interfaceAddresses()) {
    try {
      own.add(normalized(ipaddr.parse(address.replace(/%.*$/, ''))));
    } catch {
      // not an address: nothing to refuse
    }
  }
  return own;
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

function normalized(ip: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) return (ip as ipaddr.IPv6).toIPv4Address().toString();
  return ip.toNormalizedString();
}
