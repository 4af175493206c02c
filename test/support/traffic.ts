import { expect } from 'chai';
import type { Database } from 'better-sqlite3';
import { phoneIndexEntries } from '../../projections/phoneIndex.js';
import type { TestServer } from './otpServer.js';

/** The phone number `driveTraffic` uses. */
export const phone = '+15125550101';

/** Every read model table's rows; the phone index as its (hash, position) pairs, however batches grouped them into rows. */
export function snapshot(db: Database, tables: readonly string[]): Record<string, unknown[]> {
  return Object.fromEntries(
    tables.map((table) => [
      table,
      table === 'phone_index' ? phoneIndexEntries(db) : db.prepare(`SELECT * FROM "${table}" ORDER BY 1, 2`).all(),
    ]),
  );
}

/** Traffic through HTTP: a user, a login, a lockout, a policy change. */
export async function driveTraffic(t: TestServer): Promise<{ userId: string }> {
  const app = await t.clientToken();
  const admin = await t.clientToken('acme-admin');
  const created = await t.post('/cis/v1/users', { phone_number: phone, email: 'ada@example.com' }, app);
  const send = () => t.post('/cis/v1/auth/otp/send', { channel: 'sms', identifier_type: 'phone_number', identifier: phone }, app);
  const authenticate = (passcode: string) =>
    t.post('/cis/v1/auth/otp/authenticate', { passcode, identifier_type: 'phone_number', identifier: phone }, app);
  await send();
  expect((await authenticate((await t.lastSms(phone)).code)).status).to.equal(200);
  t.clock!.advance(60_000);
  await send();
  const code = (await t.lastSms(phone)).code;
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 3; i++) await authenticate(wrong);
  t.clock!.advance(60_000);
  const patched = await fetch(`${t.url}/admin/v1/applications/acme-web`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ otp: { code_length: 8 } }),
  });
  expect(patched.status).to.equal(200);
  return { userId: created.body.result.user_id as string };
}
