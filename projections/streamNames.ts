/**
 * Reading identities back out of stream names, for events whose data does not repeat them.
 * The names are built by their owners (`otpStreamId`, `clientStreamId`, ...); these parsers follow them.
 */

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * `otp-<tenantId>-<purpose>-<phoneHash>`: tenant ids may hold dashes, so parse from the end. Runs for
 * most events of a replay, so it slices instead of matching one backtracking pattern.
 */
export function parseOtpStream(stream: string): { tenantId: string; purpose: string; phoneHash: string } | undefined {
  const phoneHash = trailingPhoneHash(stream, 'otp-');
  if (phoneHash === undefined) return undefined;
  const head = stream.slice('otp-'.length, -65);
  const dash = head.lastIndexOf('-');
  const purpose = head.slice(dash + 1);
  if (dash < 1 || (purpose !== 'login' && purpose !== 'verify')) return undefined;
  return { tenantId: head.slice(0, dash), purpose, phoneHash };
}

/** `useridx-<tenantId>-phone_number-<phoneHash>` (`identifierStreamId`): the phone hash, else undefined. */
export function userIndexPhoneHash(stream: string): string | undefined {
  return stream.endsWith('-phone_number-', stream.length - 64) ? trailingPhoneHash(stream, 'useridx-') : undefined;
}

/** `bruteforce-<tenantId>-<phoneHash>-<ipHash>` (`bruteForceStreamId`): the phone hash, else undefined. */
export function bruteForcePhoneHash(stream: string): string | undefined {
  if (!stream.startsWith('bruteforce-') || stream.charCodeAt(stream.length - 130) !== 45 /* - */) return undefined;
  const ipHash = trailingPhoneHash(stream, 'bruteforce-');
  const phoneHash = stream.slice(-129, -65);
  return ipHash !== undefined && HEX_HASH.test(phoneHash) ? phoneHash : undefined;
}

/** `useridx-<tenantId>-<kind>-<hash>` (`identifierStreamId`) for a known kind: the tenant. */
export function userIndexTenant(stream: string, kind: string): string | undefined {
  const suffix = kind.length + 66; // -<kind>-<64 hex>
  return stream.startsWith('useridx-') && stream.length > 'useridx-'.length + suffix ? stream.slice('useridx-'.length, -suffix) : undefined;
}

/** The phone hash at the end of `<prefix>...-<phoneHash>` stream names, without parsing the rest. */
function trailingPhoneHash(stream: string, prefix: string): string | undefined {
  if (!stream.startsWith(prefix) || stream.charCodeAt(stream.length - 65) !== 45 /* - */) return undefined;
  const hash = stream.slice(-64);
  return HEX_HASH.test(hash) ? hash : undefined;
}

/** `<prefix>-<tenantId>` streams with nothing after the tenant (`tenantsms-`, `audit-`, the legacy `smsdelivery-`). */
export function tenantOf(stream: string, prefix: string): string | undefined {
  return stream.startsWith(`${prefix}-`) ? stream.slice(prefix.length + 1) : undefined;
}

/** The UTC day (`YYYY-MM-DD`) of an ISO time, falling back to when the event was recorded. */
export function dayOf(iso: unknown, recordedAt: Date): string {
  return (typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(iso) ? iso : recordedAt.toISOString()).slice(0, 10);
}
