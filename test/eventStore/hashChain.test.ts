import { expect } from 'chai';
import { canonicalJson, chainHash, chainMetadata, checkLink } from '../../core/eventStore/hashChain.js';
import type { EventMetadata } from '../../core/eventStore/types.js';

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

  it('keeps format 1: known answers', () => {
    // pinned: events written before format 2 (no `v` in their chain) must still verify
    expect(
      chainHash(
        null,
        'OtpIssued',
        { b: [1, 'é\n"', { d: null, c: true }], a: 1.5, when: new Date('2026-01-02T03:04:05.000Z') },
        { tenantId: 'acme', schemaVersion: 1, actor: 'ü' },
      ),
    ).to.equal('c3545e5f193b426c8e197ce4ba12a24fcdd899e3184c3f23aa8af3bc14ef7e39');
    expect(chainHash('ab'.repeat(32), 'OtpFailed', null, { schemaVersion: 1, tenantId: 'acme' }, 1)).to.equal(
      '272ee5bdadc96407326e10398a08dc5752145e8ab4cf90c85d7658b6bbd5bd8e',
    );
  });

  it('writes format 2: the hash covers the JSON texts as stored (known answer, computed with sha256sum)', () => {
    const chained = chainMetadata(
      'ab'.repeat(32),
      'OtpIssued',
      { z: [1, 'é\n"', { d: null, c: true }], a: 1.5, when: new Date('2026-01-02T03:04:05.000Z') },
      { tenantId: 'acme', actor: 'ü' },
    );
    // printf '%s\n%s\n%s\n%s' <prev> OtpIssued <data text> <metadata text> | sha256sum
    expect(chained.hash).to.equal('d4696a8113a75f96ef9d551ff4ca55e729f6cc8aca7deeb6cf6fcf90e040eae6');
    expect(chained.dataJson).to.equal('{"z":[1,"é\\n\\"",{"d":null,"c":true}],"a":1.5,"when":"2026-01-02T03:04:05.000Z"}');
    expect(chained.metadataJson).to.equal(
      `{"schemaVersion":1,"tenantId":"acme","actor":"ü","chain":{"prev":"${'ab'.repeat(32)}","hash":"${chained.hash}","v":2}}`,
    );
    // the same event read back verifies, and a format-1 reading of it does not
    const metadata = JSON.parse(chained.metadataJson) as EventMetadata;
    expect(chainHash('ab'.repeat(32), 'OtpIssued', JSON.parse(chained.dataJson), metadata)).to.equal(chained.hash);
    expect(chainHash('ab'.repeat(32), 'OtpIssued', JSON.parse(chained.dataJson), metadata, 1)).to.not.equal(chained.hash);
  });

  it('gives the JSON texts to store: the data the hash covers, the metadata with its chain last', () => {
    const data = { z: 1, a: { y: [2, { c: 3, b: 'é' }] }, at: new Date('2026-01-02T03:04:05.000Z'), skip: undefined };
    const chained = chainMetadata('cd'.repeat(32), 'OtpIssued', data, {
      tenantId: 'acme',
      actor: 'x',
      chain: { prev: null, hash: 'forged' },
    });
    expect(chained.dataJson).to.equal(JSON.stringify(data));
    expect(JSON.parse(chained.metadataJson)).to.deep.equal(chained.metadata);
    expect(Object.keys(chained.metadata)).to.deep.equal(['schemaVersion', 'tenantId', 'actor', 'chain']);
    expect(chained.metadata.chain).to.deep.equal({ prev: 'cd'.repeat(32), hash: chained.hash, v: 2 });
    expect(chainHash('cd'.repeat(32), 'OtpIssued', JSON.parse(chained.dataJson), JSON.parse(chained.metadataJson))).to.equal(chained.hash);
    // metadata whose every key is left out still stores valid JSON
    const bare = chainMetadata(null, 'A', null, { schemaVersion: undefined } as never);
    expect(JSON.parse(bare.metadataJson)).to.deep.equal({ chain: { prev: null, hash: bare.hash, v: 2 } });
    expect(bare.dataJson).to.equal('null');
    expect(chainMetadata(null, 'A', undefined, {}).dataJson).to.equal('null');
    // an own "__proto__" key (JSON.parse makes one) stays data, as object spread keeps it
    const proto = chainMetadata(null, 'A', null, JSON.parse('{"__proto__": {"x": 1}, "tenantId": "acme"}') as EventMetadata);
    expect(proto.metadataJson).to.match(/^\{"schemaVersion":1,"__proto__":\{"x":1\},"tenantId":"acme","chain":/);
    expect(Object.getPrototypeOf(proto.metadata)).to.equal(Object.prototype);
  });

  it('verifies format 2 from the parsed event whatever its values: the texts read back re-serialise to the texts hashed', () => {
    const awkward: unknown[] = [
      { '10': 1, '9': 2, b: { '2': 'x', a: [-0, 1e21, 5e-324, 0.1, -1.5e-7] } },
      { s: '\u0000\u001f\u007f\u2028\ud800 lone, \udfff lone, 😀 pair, "quoted" \\ back' },
      JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'),
      // eslint-disable-next-line no-sparse-arrays
      [1, , undefined, () => 1, Number.NaN, Number.POSITIVE_INFINITY, null, true],
      { nested: { deeper: { deepest: [{ b: 1, a: 2 }] } }, u: undefined, f: () => 1 },
      'just a string',
      42,
      null,
    ];
    let prev: string | null = null;
    awkward.forEach((data, revision) => {
      const metadata = { tenantId: 'acme', '7': 'seven', correlationId: `c-${revision}`, schemaVersion: 3 };
      const chained = chainMetadata(prev, 'Odd', data, metadata);
      // as a store reads it: parsed from the stored texts
      const event = {
        revision,
        type: 'Odd',
        data: JSON.parse(chained.dataJson) as unknown,
        metadata: JSON.parse(chained.metadataJson) as EventMetadata,
      };
      expect(checkLink(prev === null ? undefined : { revision: revision - 1, hash: prev }, event), chained.dataJson).to.equal(undefined);
      prev = chained.hash;
    });
  });

  it('verifies a stream of format-1 events followed by format-2 ones (a store written before and after the change)', () => {
    // format 1 as it was written: canonical texts, chain without `v`
    const oldMetadata = { schemaVersion: 1, tenantId: 'acme', actor: 'z' };
    const oldHash = chainHash(null, 'A', { b: 2, a: 1 }, oldMetadata, 1);
    const old = {
      revision: 0,
      type: 'A',
      data: JSON.parse(canonicalJson({ b: 2, a: 1 })) as unknown,
      metadata: { ...(JSON.parse(canonicalJson(oldMetadata)) as EventMetadata), chain: { prev: null, hash: oldHash } },
    };
    const next = chainMetadata(oldHash, 'B', { y: 2, x: 1 }, { tenantId: 'acme', actor: 'z' });
    const recent = {
      revision: 1,
      type: 'B',
      data: JSON.parse(next.dataJson) as unknown,
      metadata: JSON.parse(next.metadataJson) as EventMetadata,
    };
    expect(checkLink(undefined, old)).to.equal(undefined);
    expect(checkLink({ revision: 0, hash: oldHash }, recent)).to.equal(undefined);
    // tampering is caught in either format
    expect(checkLink(undefined, { ...old, data: { a: 1, b: 3 } })).to.equal('wrong_hash');
    expect(checkLink({ revision: 0, hash: oldHash }, { ...recent, data: { y: 3, x: 1 } })).to.equal('wrong_hash');
    // format 2 hashes the text as written: the same values in another key order are another text
    expect(checkLink({ revision: 0, hash: oldHash }, { ...recent, data: { x: 1, y: 2 } })).to.equal('wrong_hash');
    // dropping or changing the format marker does not make the event verify
    const unmarked = { ...recent.metadata, chain: { prev: oldHash, hash: next.hash } };
    expect(checkLink({ revision: 0, hash: oldHash }, { ...recent, metadata: unmarked })).to.equal('wrong_hash');
    const unknownFormat = { ...recent.metadata, chain: { prev: oldHash, hash: next.hash, v: 3 } };
    expect(checkLink({ revision: 0, hash: oldHash }, { ...recent, metadata: unknownFormat })).to.equal('missing_chain');
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
