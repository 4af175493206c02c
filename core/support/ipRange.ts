import ipaddr from 'ipaddr.js';

export type IpRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** `10.0.0.0/8`, `::1` or `2001:db8::/32` as a range (one address is its own /32 or /128). Throws for anything else. */
export function parseIpRange(text: string): IpRange {
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  const address = ipaddr.process(text);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** An address as one canonical string (an IPv4-mapped IPv6 address as IPv4); anything else as it is. */
export function canonicalIp(text: string): string {
  return ipaddr.isValid(text) ? ipaddr.process(text).toString() : text;
}

/** Whether `text` is an address inside one of the ranges. */
export function inRanges(text: string, ranges: readonly IpRange[]): boolean {
  if (!ipaddr.isValid(text)) return false;
  const address = ipaddr.process(text);
  return ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}
