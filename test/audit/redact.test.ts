import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { REDACTED, redactValue, toAuditRecord } from '../../core/audit/redact.js';
import type { RecordedEvent } from '../../core/eventStore/types.js';
import { ERASED, sealValue } from '../../core/privacy/sealedValue.js';

const key = randomBytes(32);
const sealed = (value: unknown) => sealValue('k1', key, value);

const recorded = (data: unknown): RecordedEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  type: 'UserCreated',
  data,
  streamName: 'user-acme-u1',
  revision: 0,
  globalPosition: 7,
  recordedAt: new Date('2026-11-22T10:00:00.000Z'),
  metadata: { tenantId: 'acme', actor: 'acme-web', schemaVersion: 1, chain: { hash: 'abc' } },
});

/** What the audit API shows of an event: opened personal values pass, a value still sealed (its key destroyed) is "[erased]". */
describe('audit redaction', () => {
  it('shows a personal value whose key is gone as "[erased]", at any depth, and never its ciphertext', () => {
    const data = {
      userId: 'u1',
      phoneNumber: sealed('+15125550100'),
      nested: { email: sealed('a@example.com'), list: [sealed('x'), 'plain'] },
    };
    const shown = redactValue(data);
    expect(shown).to.deep.equal({ userId: 'u1', phoneNumber: ERASED, nested: { email: ERASED, list: [ERASED, 'plain'] } });
    expect(JSON.stringify(shown)).to.not.contain('pii:v1:');
  });

  it('passes opened personal values through (the reader opened them with a live key)', () => {
    expect(redactValue({ phoneNumber: '+15125550100', email: 'a@example.com' })).to.deep.equal({
      phoneNumber: '+15125550100',
      email: 'a@example.com',
    });
  });

  it('still redacts secrets and provider-secret ciphertext, by key and by shape', () => {
    expect(redactValue({ codeHash: 'h', settings: { apiKey: 'k', token: 'enc:v1:m1:abc' }, clientSecret: 'x' })).to.deep.equal({
      codeHash: REDACTED,
      settings: { apiKey: REDACTED, token: REDACTED },
      clientSecret: REDACTED,
    });
  });

  it('builds the audit record of an erased user\'s event: ids, type, time and chain link kept, personal fields "[erased]"', () => {
    const record = toAuditRecord(
      recorded({
        userId: 'u1',
        tenantId: 'acme',
        phoneNumber: sealed('+15125550100'),
        email: sealed('a@example.com'),
        username: sealed('ada'),
      }),
    );
    expect(record).to.deep.equal({
      position: 7,
      id: '00000000-0000-4000-8000-000000000001',
      stream: 'user-acme-u1',
      revision: 0,
      type: 'UserCreated',
      recordedAt: '2026-11-22T10:00:00.000Z',
      tenantId: 'acme',
      actor: 'acme-web',
      correlationId: undefined,
      chainHash: 'abc',
      data: { userId: 'u1', tenantId: 'acme', phoneNumber: ERASED, email: ERASED, username: ERASED },
    });
  });
});
