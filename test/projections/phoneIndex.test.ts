import { expect } from 'chai';
import path from 'node:path';
import type { RecordedEvent } from '../../core/eventStore/types.js';
import { phoneNumberHash } from '../../core/users/phoneNumber.js';
import { applyBatch, bindProjections } from '../../projections/applyBatch.js';
import { phoneIndexProjection, phonePositions } from '../../projections/phoneIndex.js';
import { ReadModelStore } from '../../projections/readModelStore.js';
import { parseOtpStream } from '../../projections/streamNames.js';
import { tempDir } from '../support/tempDir.js';

const key = Buffer.alloc(32, 3);
const hashA = 'a'.repeat(64);
const hashB = 'b'.repeat(64);

function event(globalPosition: number, streamName: string, type = 'OtpIssued', data: unknown = {}): RecordedEvent {
  return {
    id: `e${globalPosition}`,
    type,
    data,
    metadata: { schemaVersion: 1 },
    streamName,
    revision: 0,
    globalPosition,
    recordedAt: new Date(0),
  };
}

describe('phone index projection', () => {
  let readModels: ReadModelStore;
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
    readModels = ReadModelStore.open(path.join(dir.dir, 'readmodels.db'));
  });
  afterEach(() => {
    readModels.close();
    dir.remove();
  });

  it('finds every event about a phone, in order, across batches, with a cursor and a page size', () => {
    const bound = bindProjections(readModels, [phoneIndexProjection(key)]);
    const numberHash = phoneNumberHash(key, '+15125550101');
    const first = [
      event(1, `otp-acme-login-${hashA}`),
      event(2, `otp-acme-login-${hashB}`),
      event(3, 'smsdelivery-acme', 'SmsSent', { to: '+15125550101' }),
      event(4, `otp-acme-login-${hashA}`, 'OtpVerified'),
      event(5, 'session-1', 'OtpVerified'),
    ];
    const second = [
      event(7, `useridx-acme-phone_number-${hashA}`, 'IdentifierClaimed'),
      event(8, `otp-a-b-verify-${hashA}`, 'OtpFailed'),
      event(9, 'user-acme-u1', 'UserCreated', { phoneNumber: '+15125550101' }),
      event(10, `useridx-acme-username-${hashA}`, 'IdentifierClaimed'),
      event(11, `otp-acme-login-${hashA}`, 'SmsSent', { otpId: 'o1' }),
    ];
    applyBatch(readModels, bound, first, 0);
    applyBatch(readModels, bound, second, 5);
    const db = readModels.db;
    expect(phonePositions(db, hashA, 0, 100)).to.deep.equal([1, 4, 7, 8, 11]);
    expect(phonePositions(db, hashA, 1, 2)).to.deep.equal([4, 7]);
    expect(phonePositions(db, hashA, 4, 100)).to.deep.equal([7, 8, 11]);
    expect(phonePositions(db, hashA, 11, 100)).to.deep.equal([]);
    expect(phonePositions(db, hashB, 0, 100)).to.deep.equal([2]);
    expect(phonePositions(db, numberHash, 0, 100)).to.deep.equal([3, 9]);
    expect(phonePositions(db, 'c'.repeat(64), 0, 100)).to.deep.equal([]);
  });

  it('stores hashes, never numbers', () => {
    const bound = bindProjections(readModels, [phoneIndexProjection(key)]);
    applyBatch(readModels, bound, [event(1, 'smsdelivery-acme', 'SmsSent', { to: '+15125550101' })], 0);
    const dump = JSON.stringify(readModels.db.prepare('SELECT hex(phone_hash) AS h, hex(positions) AS p FROM phone_index').all());
    expect(dump).to.not.include('5125550101');
  });
});

describe('parseOtpStream', () => {
  it('reads tenant, purpose and phone hash from the end of the name', () => {
    expect(parseOtpStream(`otp-acme-login-${hashA}`)).to.deep.equal({ tenantId: 'acme', purpose: 'login', phoneHash: hashA });
    expect(parseOtpStream(`otp-a-b-verify-${hashA}`)).to.deep.equal({ tenantId: 'a-b', purpose: 'verify', phoneHash: hashA });
  });

  it('rejects names that are not OTP streams', () => {
    for (const name of [
      `otp--login-${hashA}`,
      `otp-acme-reset-${hashA}`,
      `otp-acme-login-${hashA}0`,
      `xotp-acme-login-${hashA}`,
      `otp-login-${hashA}`,
      `otp-acme-login-${'g'.repeat(64)}`,
      'otp-acme-login-short',
    ]) {
      expect(parseOtpStream(name), name).to.equal(undefined);
    }
  });
});
