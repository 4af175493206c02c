/**
 * Reading identities back out of stream names, for events whose data does not repeat them.
 * The names are built by their owners (`otpStreamId`, `clientStreamId`, ...); these parsers follow them.
 */

/** `otp-<tenantId>-<purpose>-<phoneHash>`: tenant ids may hold dashes, so parse from the end. */
export function parseOtpStream(stream: string): { tenantId: string; purpose: string; phoneHash: string } | undefined {
  const match = /^otp-(.+)-(login|verify)-([0-9a-f]{64})$/.exec(stream);
  return match ? { tenantId: match[1]!, purpose: match[2]!, phoneHash: match[3]! } : undefined;
}

/** `client-<clientId>` */
export function clientIdOf(stream: string): string | undefined {
  return stream.startsWith('client-') ? stream.slice('client-'.length) : undefined;
}

/** `<prefix>-<tenantId>` streams with nothing after the tenant (`tenantsms-`, `smsdelivery-`, `audit-`). */
export function tenantOf(stream: string, prefix: string): string | undefined {
  return stream.startsWith(`${prefix}-`) ? stream.slice(prefix.length + 1) : undefined;
}

/** The UTC day (`YYYY-MM-DD`) of an ISO time, falling back to when the event was recorded. */
export function dayOf(iso: unknown, recordedAt: Date): string {
  return (typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(iso) ? iso : recordedAt.toISOString()).slice(0, 10);
}
