// The sealing layer's own CPU per OTP cycle, measured in this process with the real key store (SQLite file,
// synchronous=FULL) and the real catalogue, over an event store that only keeps what it is given, so only
// the sealing work is timed: bench:otp divides it by the cycle's server CPU (target: at most 10%).
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EventStore, NewEvent, RecordedEvent } from '../core/eventStore/types.js';
import { PersonalDataSealer } from '../core/privacy/personalDataSealer.js';
import { SealingEventStore } from '../core/privacy/sealingEventStore.js';
import { SqliteKeyStore } from '../core/privacy/sqliteKeyStore.js';
import { SubjectKeys } from '../core/privacy/subjectKeys.js';
import { phoneNumberHash } from '../core/users/phoneNumber.js';
import { median, tempDir } from './benchSupport.js';

/** Keeps appended events per stream and reads them back: no I/O, no hashing. */
function keepingStore(): EventStore {
  const streams = new Map<string, RecordedEvent[]>();
  let position = 0;
  const unused = () => Promise.reject(new Error('not used by the sealing bench'));
  return {
    async appendToStream(stream: string, events: readonly NewEvent[]) {
      const kept = streams.get(stream) ?? [];
      for (const event of events) {
        kept.push({
          id: randomUUID(),
          type: event.type,
          data: event.data,
          metadata: { schemaVersion: 1 },
          streamName: stream,
          revision: kept.length,
          globalPosition: ++position,
          recordedAt: new Date(),
        });
      }
      streams.set(stream, kept);
      return { nextExpectedRevision: kept.length - 1, position };
    },
    async readStream(stream: string) {
      return streams.get(stream) ?? [];
    },
    readAll: () => ({ [Symbol.asyncIterator]: () => ({ next: unused }) }),
    subscribe: () => {
      throw new Error('not used by the sealing bench');
    },
    lastPosition: async () => position,
    ping: async () => {},
    close: async () => {},
  };
}

/** CPU the sealing layer adds: the same work through the sealing store minus straight into the keeping store. */
export interface SealingCost {
  /** A login of an existing user: the cycle's appends checked against the catalogue, the user stream opened. */
  cycleMicros: number;
  /** A new user's first login: a profile with phone, email and username sealed under a new key, its verified phone, read back. */
  signupMicros: number;
}

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

export async function measureSealing(iterations = 2000): Promise<SealingCost> {
  const dir = tempDir('sealing');
  const keyStore = SqliteKeyStore.open(path.join(dir, 'subject-keys.db'));
  const hmacKey = randomBytes(32);
  const keys = new SubjectKeys(
    keyStore,
    { masterKey: randomBytes(32), masterKeyId: 'bench', previousMasterKeys: [] },
    { now: () => new Date() },
  );
  const sealing = new SealingEventStore(keepingStore(), new PersonalDataSealer(keys, hmacKey));
  const plain = keepingStore();
  let store: EventStore = sealing;
  const metadata = { tenantId: 'bench', actor: 'bench-app' };
  let n = 0;
  const signup = async () => {
    const userId = randomUUID();
    const phone = `+1512${String(5_000_000 + (n++ % 4_000_000)).padStart(7, '0')}`;
    const stream = `user-bench-${userId}`;
    await store.appendToStream(stream, [
      {
        type: 'UserCreated',
        data: {
          userId,
          tenantId: 'bench',
          clientId: 'bench-app',
          phoneNumber: phone,
          phoneHash: phoneNumberHash(hmacKey, phone),
          email: `${userId}@example.com`,
          username: `u${userId.slice(0, 8)}`,
        },
        metadata,
      },
    ]);
    await store.appendToStream(stream, [
      { type: 'PhoneVerified', data: { phoneNumber: phone, phoneHash: phoneNumberHash(hmacKey, phone), via: 'login' }, metadata },
    ]);
    await store.readStream(stream);
    return { stream, phone };
  };
  const users = await Promise.all(Array.from({ length: 50 }, signup));
  const plainUsers = await (async () => {
    store = plain;
    try {
      return await Promise.all(Array.from({ length: 50 }, signup));
    } finally {
      store = sealing;
    }
  })();
  const otpStream = (phone: string) => `otp-bench-login-${phoneNumberHash(hmacKey, phone)}`;
  const cycle = async (i: number) => {
    const { stream, phone } = (store === sealing ? users : plainUsers)[i % users.length]!;
    const otp = otpStream(phone);
    const at = new Date().toISOString();
    await store.appendToStream(otp, [
      {
        type: 'OtpIssued',
        data: { otpId: randomUUID(), codeHash: 'h', purpose: 'login', clientId: 'bench-app', phoneHash: 'h', issuedAt: at, expiresAt: at },
        metadata,
      },
    ]);
    await store.appendToStream(otp, [
      {
        type: 'SmsSent',
        data: { tenantId: 'bench', provider: 'Default', attempt: 1, fallbackIndex: 0, bodyLength: 40, sentAt: at },
        metadata,
      },
    ]);
    await store.appendToStream(otp, [{ type: 'OtpVerified', data: { otpId: 'o', at }, metadata }]);
    // as if the user's state were not cached: its stream read and opened on every login
    await store.readStream(stream);
    const sid = randomUUID();
    await store.appendToStream(`session-${sid}`, [
      { type: 'SessionStarted', data: { sid, tenantId: 'bench', clientId: 'bench-app', userId: 'u', amr: ['otp', 'sms'] }, metadata },
      { type: 'TokensIssued', data: { accessTokenJti: 'a', refreshTokenJti: 'r', expiresAt: at, grant: 'otp' }, metadata },
    ]);
  };
  const timeOn = async (on: EventStore, run: (i: number) => Promise<unknown>) => {
    store = on;
    for (let i = 0; i < 200; i++) await run(i); // warm-up
    const start = cpuMicros();
    for (let i = 0; i < iterations; i++) await run(i);
    return (cpuMicros() - start) / iterations;
  };
  // interleaved rounds, each the sealing store's time minus the plain store's; the median of the rounds
  const added = async (run: (i: number) => Promise<unknown>) => {
    const rounds: number[] = [];
    for (let round = 0; round < 3; round++) rounds.push((await timeOn(sealing, run)) - (await timeOn(plain, run)));
    return median(rounds);
  };
  try {
    return { cycleMicros: await added(cycle), signupMicros: await added(signup) };
  } finally {
    await keyStore.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
