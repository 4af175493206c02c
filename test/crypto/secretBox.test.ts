import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { SecretBox, SecretBoxError } from '../../core/crypto/secretBox.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox (AES-256-GCM with key ids)', () => {
  const k1 = key('k1');
  const box = new SecretBox(k1);

  it('seals with a random IV under the current key id and opens again', () => {
    const a = box.seal('sk_live_secret', 'ctx');
    const b = box.seal('sk_live_secret', 'ctx');
    expect(a)
      .to.match(/^enc:v1:k1:/)
      .and.not.equal(b);
    expect(a).not.to.contain('sk_live_secret');
    expect(SecretBox.isSealed(a)).to.equal(true);
    expect(box.open(a, 'ctx')).to.equal('sk_live_secret');
  });

  it('detects tampering with the ciphertext, the tag, the IV, or the context', () => {
    const sealed = box.seal('sk_live_secret', 'tenant-a/api_key');
    const parts = sealed.split(':');
    for (const index of [3, 4, 5]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const tampered = [...parts.slice(0, index), bytes.toString('base64url'), ...parts.slice(index + 1)].join(':');
      expect(() => box.open(tampered, 'tenant-a/api_key'), `part ${index}`).to.throw(SecretBoxError, /failed authentication/);
    }
    expect(() => box.open(sealed, 'tenant-b/api_key')).to.throw(SecretBoxError, /failed authentication/);
    expect(() => box.open('plain text')).to.throw(SecretBoxError, /not a sealed value/);
  });

  it('rotates: a new current key seals, the previous key still opens old values, an unknown key id is named', () => {
    const old = box.seal('old secret');
    const k2 = key('k2');
    const rotated = new SecretBox(k2, [k1]);
    expect(rotated.open(old)).to.equal('old secret');
    expect(rotated.seal('new')).to.match(/^enc:v1:k2:/);
    expect(() => new SecretBox(k2).open(old)).to.throw(SecretBoxError, /unknown key k1/);
    expect(() => box.open(rotated.seal('new'))).to.throw(SecretBoxError, /unknown key k2/);
  });
});
