import { expect } from 'chai';
import { canonicalJson, chainHash, chainMetadata, checkLink } from '../../core/eventStore/hashChain.js';

describe('hash chain', () => {
  it('serialises canonically: sorted keys, JSON.stringify rules for the rest', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined, 'x'], c: null }, u: undefined })).to.equal(
      '{"a":{"c":null,"d":[1,null,"x"]},"b":1}',
    );
    expect(canonicalJson({ '10': 1, '9': 2, a: 3 })).to.equal('{"10":1,"9":2,"a":3}');
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.000Z'), n: Number.NaN })).to.equal(
      '{"at":"2026-01-02T03:04:05.000Z","n":null}',
    );
    expect(canonicalJson(undefined)).to.equal('null');
    const value = { z: [{ y: 1, x: 2 }], a: 'é\n"' };
    expect(JSON.parse(canonicalJson(value))).to.deep.equal(value);
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).to.equal(canonicalJson(value));
    // a hole in an array is null, as JSON.stringify stores it (so the hash at write time is the one read back)
    // eslint-disable-next-line no-sparse-arrays
    expect(canonicalJson({ a: [1, , 3] })).to.equal('{"a":[1,null,3]}');
  });

  it('keeps the hash format: known answers', () => {
    // pinned: events written by earlier versions must still verify
    expect(
      chainHash(
        null,
        'OtpIssued',
        { b: [1, 'é\n"', { d: null, c: true }], a: 1.5, when: new Date('2026-01-02T03:04:05.000Z') },
        { tenantId: 'acme', schemaVersion: 1, actor: 'ü' },
      ),
    ).to.equal('c3545e5f193b426c8e197ce4ba12a24fcdd899e3184c3f23aa8af3bc14ef7e39');
    expect(chainMetadata('ab'.repeat(32), 'OtpFailed', undefined, { tenantId: 'acme' }).hash).to.equal(
      '272ee5bdadc96407326e10398a08dc5752145e8ab4cf90c85d7658b6bbd5bd8e',
    );
  });

  it('gives the JSON texts to store: the canonical data the hash covers, the metadata with its chain', () => {
    const data = { z: 1, a: { y: [2, { c: 3, b: 'é' }] }, at: new Date('2026-01-02T03:04:05.000Z'), skip: undefined };
    const chained = chainMetadata('cd'.repeat(32), 'OtpIssued', data, {
      tenantId: 'acme',
      actor: 'x',
      chain: { prev: null, hash: 'forged' },
    });
    expect(chained.dataJson).to.equal(canonicalJson(data));
    expect(JSON.parse(chained.dataJson)).to.deep.equal(JSON.parse(JSON.stringify(data)));
    expect(JSON.parse(chained.metadataJson)).to.deep.equal(chained.metadata);
    expect(chained.metadata.chain).to.deep.equal({ prev: 'cd'.repeat(32), hash: chained.hash });
    expect(chainHash('cd'.repeat(32), 'OtpIssued', JSON.parse(chained.dataJson), JSON.parse(chained.metadataJson))).to.equal(chained.hash);
    // metadata whose every key is left out still stores valid JSON
    const bare = chainMetadata(null, 'A', null, { schemaVersion: undefined } as never);
    expect(JSON.parse(bare.metadataJson)).to.deep.equal({ chain: { prev: null, hash: bare.hash } });
    expect(bare.dataJson).to.equal('null');
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
    ])
      expect(other).to.not.equal(base);
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
