import { createHmac, randomInt } from 'node:crypto';

/** A uniformly random numeric code of `length` digits (leading zeros kept), from the CSPRNG. */
export function generateCode(length: number): string {
  return randomInt(0, 10 ** length)
    .toString()
    .padStart(length, '0');
}

/** The keyed hash an event stores instead of a code, bound to the stream it belongs to. */
export function hashCode(hmacKey: Buffer, stream: string, code: string): string {
  return createHmac('sha256', hmacKey).update(`otp\0${stream}\0${code}`).digest('hex');
}
