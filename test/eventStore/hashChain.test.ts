import { expect } from 'chai';
import { canonicalJson, chainHash, chainMetadata, checkLink } from '../../core/eventStore/hashChain.js';

describe('hash chain', () => {
  it('serialises canonically: sorted keys, JSON.stringify rules for the rest', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined, 'x'], c: null }, u: undefined })).to.equal('{"a":{"c":null,"d":[1,null,"x"]},"b":1}');
    expect(canonicalJson({ '10': 1, '9': 2, a: 3 })).to.equal('{"10":1,"9":2,"a":3}');
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.000Z'), n: Number.NaN })).to.equal('{"at":"2026-01-02T03:04:05.000Z","n":null}');
    expect(canonicalJson(undefined)).to.equal('null');
    const value = { z: [{ y: 1, x: 2 }], a: 'é\n"' };
    expect(JSON.parse(canonicalJson(value))).to.deep.equal(value);
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).to.equal(canonicalJson(value));
  });

  it('hashes the previous hash, type, data and metadata without the chain', () => {
    const base = chainHash(null, 'OtpIssued', { a: 1 }, { schemaVersion: 1 });
    expect(base).to.match(/^[0-9a-f]{64}$/);
    expect(chainHash(null, 'OtpIssued', { a: 1 }, { schemaVersion: 1, chain: { prev: null, hash: 'x' } })).to.equal(base);
    for (const other of [
      chainHash('0'.repeat(64), 'OtpIssued', { a: 1 }, { schemaVersion: 1 }),
      chainHash(null, 'OtpFailed', { a: 1 }, { schemaVersion: 1 }),
      chainHash(null, 'OtpIssued', { a: 2 }, { schemaVersion: 1 }),
      chainHash(null, 'OtpIssued', { a: 1 }, { schemaVersion: 1, actor: 'mallory' }),
    ]) expect(other).to.not.equal(base);
  });

  it('checks a link and says exactly what is wrong', () => {
    const first = chainMetadata(null, 'A', { n: 1 }, { tenantId: 'acme' });
    const second = chainMetadata(first.hash, 'B', { n: 2 }, {});
    const e1 = { revision: 0, type: 'A', data: { n: 1 }, metadata: first.metadata };
    const e2 = { revision: 1, type: 'B', data: { n: 2 }, metadata: second.metadata };
    expect(checkLink(undefined, e1)).to.equal(undefined);
    expect(checkLink({ revision: 0, hash: first.hash }, e2)).to.equal(undefined);
    expect(checkLink({ revision: 0, hash: first.hash }, { ...e2, data: { n: 3 } })).to.equal('wrong_hash');
    expect(checkLink({ revision: 0, hash: 'f'.repeat(64) }, e2)).to.equal('wrong_prev');
    expect(checkLink(undefined, e2)).to.equal('revision_gap');
    expect(checkLink(undefined, { ...e1, metadata: { schemaVersion: 1 } })).to.equal('missing_chain');
  });
});
