import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Loopback, private, link-local, shared and unspecified ranges: not where a tenant's SMS gateway may point. */
const internal = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  internal.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) internal.addSubnet(net, prefix, 'ipv6');

function isInternal(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return internal.check(mapped, 'ipv4');
  return internal.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** Every `http(s)://` value in a provider's settings, with its JSON path. */
function urlsIn(value: unknown, path = ''): { path: string; url: URL }[] {
  if (typeof value === 'string' && /^https?:\/\//i.test(value)) {
    try {
      return [{ path: path || '/', url: new URL(value) }];
    } catch {
      return [];
    }
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => urlsIn(item, `${path}/${key}`));
  }
  return [];
}

/**
 * Server-side request forgery guard: a tenant's provider settings may not point the server at its own
 * network (the loopback, private ranges, cloud metadata at 169.254.169.254) unless the operator allows
 * it (`sms.allowPrivateNetworks`, on for the demo and tests, off in production). Checked when settings
 * are configured, on the addresses the host name resolves to then. Returns the problem, or undefined.
 */
export async function privateGatewayProblem(settings: Record<string, unknown>): Promise<string | undefined> {
  for (const { path, url } of urlsIn(settings)) {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
    } catch {
      continue; // an unresolvable host fails on its own when used
    }
    const inside = addresses.find(isInternal);
    if (inside) return `${path}: ${url.host} is a private or loopback address (${inside}); the operator must set sms.allowPrivateNetworks to allow it`;
  }
  return undefined;
}
