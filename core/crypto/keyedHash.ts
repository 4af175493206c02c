import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keyed SHA-256 (HMAC) of a value in a named domain, hex. Used wherever we must find or check a
 * value without storing it: client secrets, phone and identifier indexes. The domain keeps
 * hashes of one kind from ever matching another kind.
 */
export function keyedHash(key: Buffer, domain: string, value: string): string {
  return createHmac('sha256', key).update(domain).update('\0').update(value).digest('hex');
}

/** Constant-time equality of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
