import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';

const NIBBLE_PAD = 0xf;

/**
 * Verification sids that carry their own address: `VE` and 32 hex digits, one AES-256 block holding the phone
 * number (15 digits at most, packed two to a byte) and 8 bytes that name the verification's challenge. So a sid
 * leads to its OTP stream without an index, and the number is stored nowhere but in the sid the caller holds.
 * The key is derived from the server's HMAC key; a forged or foreign sid decrypts to no valid number.
 */
export class VerificationSids {
  private readonly key: Buffer;

  constructor(hmacKey: Buffer) {
    this.key = createHmac('sha256', hmacKey).update('twilio-verification-sid').digest();
  }

  encode(e164: string, challengeId: string): string {
    const block = Buffer.alloc(16, 0xff);
    const digits = e164.slice(1);
    for (let i = 0; i < digits.length; i++) {
      const byte = i >> 1;
      const digit = digits.charCodeAt(i) - 48;
      block[byte] = i % 2 === 0 ? (digit << 4) | NIBBLE_PAD : (block[byte]! & 0xf0) | digit;
    }
    challengeTag(challengeId).copy(block, 8);
    const cipher = createCipheriv('aes-256-ecb', this.key, null).setAutoPadding(false);
    return `VE${Buffer.concat([cipher.update(block), cipher.final()]).toString('hex')}`;
  }

  /** The number and challenge tag a sid carries; undefined for anything this server did not issue. */
  decode(sid: string): { e164: string; tag: Buffer } | undefined {
    if (!/^VE[0-9a-fA-F]{32}$/.test(sid)) return undefined;
    const decipher = createDecipheriv('aes-256-ecb', this.key, null).setAutoPadding(false);
    const block = Buffer.concat([decipher.update(Buffer.from(sid.slice(2), 'hex')), decipher.final()]);
    let digits = '';
    for (let i = 0; i < 16; i++) {
      const nibble = i % 2 === 0 ? block[i >> 1]! >> 4 : block[i >> 1]! & 0x0f;
      if (nibble === NIBBLE_PAD) {
        // padding runs to the end of the number's 8 bytes
        for (let j = i + 1; j < 16; j++) if ((j % 2 === 0 ? block[j >> 1]! >> 4 : block[j >> 1]! & 0x0f) !== NIBBLE_PAD) return undefined;
        break;
      }
      if (nibble > 9) return undefined;
      digits += String(nibble);
    }
    return digits.length >= 7 ? { e164: `+${digits}`, tag: block.subarray(8) } : undefined;
  }

  /** Whether `sid` names the challenge `challengeId`. */
  names(sid: { tag: Buffer }, challengeId: string): boolean {
    return sid.tag.equals(challengeTag(challengeId));
  }
}

function challengeTag(challengeId: string): Buffer {
  return createHash('sha256').update(challengeId).digest().subarray(0, 8);
}
