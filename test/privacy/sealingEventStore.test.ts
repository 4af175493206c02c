import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { verifyChain } from '../../core/audit/verifyChain.js';
import { toAuditRecord } from '../../core/audit/redact.js';
import { SqliteEventStore } from '../../core/eventStore/sqliteEventStore.js';
import type { RecordedEvent } from '../../core/eventStore/types.js';
import { personalDataCatalogue } from '../../core/privacy/personalData.js';
import { PersonalDataSealer, UncataloguedEventError } from '../../core/privacy/personalDataSealer.js';
import { ERASED } from '../../core/privacy/sealedValue.js';
import { SealingEventStore } from '../../core/privacy/sealingEventStore.js';
import { SqliteKeyStore } from '../../core/privacy/sqliteKeyStore.js';
import { SubjectKeyMissingError, SubjectKeys } from '../../core/privacy/subjectKeys.js';
import { phoneSubject } from '../../core/privacy/subjects.js';
import { phoneNumberHash } from '../../core/users/phoneNumber.js';
import { tempDir } from '../support/tempDir.js';

const hmacKey = randomBytes(32);
const secrets = { masterKey: randomBytes(32), masterKeyId: 'master-1', previousMasterKeys: [] };
const clock = { now: () => new Date('2026-11-22T10:00:00Z') };
const phone = '+15125550177';
const otpStream = `otp-acme-login-${phoneNumberHash(hmacKey, phone)}`;

/** Every catalogued event type with personal fields, each field holding a value to search for. */
function samples() {
  return Object.entries(personalDataCatalogue).flatMap(([type, privacy]) => {
    const personal = (privacy as { personal?: { subject: { user?: string; phone?: string; phoneIn?: string }; fields: readonly string[] } })
      .personal;
    if (!personal) return [];
    const data: Record<string, unknown> = { tenantId: 'acme' };
    const values: string[] = [];
    for (const field of personal.fields) {
      const value = field === personal.subject.phoneIn ? phone : `${type}-${field}-${randomUUID()}@example.com`;
      data[field] = value;
      values.push(value);
    }
    const stream = personal.subject.user
      ? `user-acme-${randomUUID()}`
      : personal.subject.phone
        ? otpStream
        : `somewhere-acme-${randomUUID()}`;
    return [{ type, stream, data, values }];
  });
}

describe('sealing event store: personal data sealed before append and hashing', () => {
  let temp: ReturnType<typeof tempDir>;
  let raw: SqliteEventStore;
  let keyStore: SqliteKeyStore;
  let store: SealingEventStore;
  let keys: SubjectKeys;
  beforeEach(() => {
    temp = tempDir();
    raw = SqliteEventStore.open(path.join(temp.dir, 'events.db'));
    keyStore = SqliteKeyStore.open(path.join(temp.dir, 'subject-keys.db'));
    keys = new SubjectKeys(keyStore, secrets, clock);
    store = new SealingEventStore(raw, new PersonalDataSealer(keys, hmacKey));
  });
  afterEach(async () => {
    await raw.close();
    await keyStore.close();
    temp.remove();
  });

  const everything = async (source: { readAll(): AsyncIterable<RecordedEvent> }) => {
    const events: RecordedEvent[] = [];
    for await (const event of source.readAll()) events.push(event);
    return events;
  };

  it('stores every personal field of every catalogued event as ciphertext, and opens it on read', async () => {
    const all = samples();
    expect(all.map((s) => s.type)).to.include.members([
      'UserCreated',
      'PhoneVerified',
      'SmsSent',
      'SmsDeliveryFailed',
      'AuthorizationCodeIssued',
    ]);
    for (const sample of all)
      await store.appendToStream(sample.stream, [{ type: sample.type, data: sample.data, metadata: { tenantId: 'acme' } }]);
    const stream = (sample: (typeof all)[number]) =>
      raw.readStream(sample.stream).then((events) => events.filter((e) => e.type === sample.type));
    raw.close();
    // nothing of any value in the stored rows, nor anywhere in the file
    const bytes = fs
      .readdirSync(temp.dir)
      .filter((name) => name.startsWith('events.db'))
      .map((name) => fs.readFileSync(path.join(temp.dir, name)));
    for (const value of all.flatMap((s) => s.values)) {
      expect(
        bytes.some((b) => b.includes(value)),
        value,
      ).to.equal(false);
      expect(
        bytes.some((b) => b.includes(value.replace('+', ''))),
        value,
      ).to.equal(false);
    }
    raw = SqliteEventStore.open(path.join(temp.dir, 'events.db'));
    store = new SealingEventStore(raw, new PersonalDataSealer(keys, hmacKey));
    for (const sample of all) {
      const [stored] = await stream(sample);
      for (const field of Object.keys(sample.data).filter((f) => f !== 'tenantId'))
        expect(stored!.data)
          .to.have.property(field)
          .that.matches(/^pii:v1:/);
      const [opened] = (await store.readStream(sample.stream)).filter((e) => e.type === sample.type);
      expect(opened!.data).to.deep.equal(sample.data);
    }
    expect((await everything(store)).map((e) => e.data)).to.deep.equal(all.map((s) => s.data));
    expect((await verifyChain(raw)).ok).to.equal(true);
  });

  it('seals a user stream with the user key and an SMS outcome with its phone\'s key; erasing a key leaves "[erased]" and a chain that verifies', async () => {
    const userStream = `user-acme-${randomUUID()}`;
    await store.appendToStream(userStream, [
      { type: 'UserCreated', data: { userId: 'u', tenantId: 'acme', clientId: 'web', phoneNumber: phone, email: 'a@example.com' } },
    ]);
    await store.appendToStream(otpStream, [
      {
        type: 'SmsDeliveryFailed',
        data: {
          tenantId: 'acme',
          provider: 'Default',
          code: 'rejected',
          message: `${phone} is not a mobile`,
          attempts: 1,
          fallbackIndex: 0,
          failedAt: 'x',
        },
      },
    ]);
    const phoneKey = await keys.keyFor(phoneSubject('acme', phoneNumberHash(hmacKey, phone)));
    const [sms] = await raw.readStream(otpStream);
    expect((sms!.data as { message: string }).message.startsWith(`pii:v1:${phoneKey.keyId}:`)).to.equal(true);
    const userKey = await keys.keyFor(userStream);
    const [created] = await raw.readStream(userStream);
    expect((created!.data as { email: string }).email.startsWith(`pii:v1:${userKey.keyId}:`)).to.equal(true);

    await keys.destroy([userStream, phoneSubject('acme', phoneNumberHash(hmacKey, phone))]);
    expect((await store.readStream(userStream))[0]!.data).to.include({ userId: 'u', phoneNumber: ERASED, email: ERASED, clientId: 'web' });
    expect((await store.readStream(otpStream))[0]!.data).to.include({ message: ERASED, provider: 'Default', code: 'rejected' });
    // the audit shows what is left; a value still sealed (read from the raw log) is shown erased too
    expect(toAuditRecord((await raw.readStream(userStream))[0]!).data).to.include({ phoneNumber: ERASED, email: ERASED });
    expect((await verifyChain(raw)).ok).to.equal(true);
    // the phone comes back as a new subject: a new key, readable again
    await store.appendToStream(otpStream, [
      {
        type: 'SmsDeliveryFailed',
        data: { tenantId: 'acme', provider: 'Default', code: 'rejected', message: 'again', attempts: 1, fallbackIndex: 0, failedAt: 'y' },
      },
    ]);
    expect((await store.readStream(otpStream)).map((e) => (e.data as { message: string }).message)).to.deep.equal([ERASED, 'again']);
  });

  it('refuses an event type the catalogue does not know, and appends nothing', async () => {
    const attempt = store.appendToStream('s-1', [{ type: 'PhoneNumberNoted', data: { phone } }]);
    await attempt.then(
      () => expect.fail('appended'),
      (error) =>
        expect(error).to.be.instanceOf(UncataloguedEventError).with.property('message').that.contains('core/privacy/personalData.ts'),
    );
    expect(await raw.lastPosition()).to.equal(0);
  });

  it('refuses a phone-keyed event that names no tenant rather than sealing it under a guess', async () => {
    const attempt = store.appendToStream('s-2', [{ type: 'AuthorizationCodeIssued', data: { phoneNumber: phone } }]);
    await attempt.then(
      () => expect.fail('appended'),
      (error: Error) => expect(error.message).to.contain('tenant'),
    );
    expect(await raw.lastPosition()).to.equal(0);
  });

  it('fails loudly, never "[erased]", for a value sealed by a key store it cannot see', async () => {
    await store.appendToStream(`user-acme-${randomUUID()}`, [{ type: 'PhoneVerified', data: { phoneNumber: phone, via: 'login' } }]);
    const otherKeys = SqliteKeyStore.open(path.join(temp.dir, 'another-keys.db'));
    try {
      const elsewhere = new SealingEventStore(raw, new PersonalDataSealer(new SubjectKeys(otherKeys, secrets, clock), hmacKey));
      await everything(elsewhere).then(
        () => expect.fail('opened'),
        (error) => expect(error).to.be.instanceOf(SubjectKeyMissingError),
      );
    } finally {
      await otherKeys.close();
    }
  });

  it('opens keys wrapped under a previous master key after a rotation, and rewraps them under the new one', async () => {
    const stream = `user-acme-${randomUUID()}`;
    await store.appendToStream(stream, [{ type: 'PhoneVerified', data: { phoneNumber: phone, via: 'login' } }]);
    const newMaster = randomBytes(32);
    const rotated = new SubjectKeys(
      keyStore,
      { masterKey: newMaster, masterKeyId: 'master-2', previousMasterKeys: [{ id: 'master-1', key: secrets.masterKey }] },
      clock,
    );
    const afterRotation = new SealingEventStore(raw, new PersonalDataSealer(rotated, hmacKey));
    expect((await afterRotation.readStream(stream))[0]!.data).to.include({ phoneNumber: phone });
    expect(await rotated.rewrapAll()).to.equal(1);
    expect(await rotated.rewrapAll()).to.equal(0);
    const [record] = await keyStore.list('', 10);
    expect(record!.wrapped).to.match(/^enc:v1:master-2:/);
    const newOnly = new SubjectKeys(keyStore, { masterKey: newMaster, masterKeyId: 'master-2', previousMasterKeys: [] }, clock);
    expect((await new SealingEventStore(raw, new PersonalDataSealer(newOnly, hmacKey)).readStream(stream))[0]!.data).to.include({
      phoneNumber: phone,
    });
  });
});
