// The share of an OTP cycle's server CPU that SMS protection's screening takes (target <= 10%). The server meters
// its screening steps itself (`core/protection/screeningCost.ts`: the destination rules, the address, tenant and
// range checks and their read-model queries, the reservations, the `sms_protection` projection's work); the
// per-phone rule inside the decider (`screenSend`, pure) and the read of the tenant's policy (an asynchronous store
// query the server's meter cannot time alone) are timed here, in this process, and added once per cycle.
import fs from 'node:fs';
import path from 'node:path';
import { systemClock } from '../core/clock.js';
import { SqliteEventStore } from '../core/eventStore/sqliteEventStore.js';
import { screenSend } from '../core/otp/sendScreening.js';
import { SmsProtectionPolicies } from '../core/protection/smsProtectionPolicies.js';
import { DEFAULT_SMS_PROTECTION } from '../core/protection/smsProtectionPolicy.js';
import { tempDir } from './benchSupport.js';
import { measure, type Operation } from './cpuPerOperation.js';
import type { ServerProcess } from './serverProcess.js';

function screenSendMicros(): number {
  const now = Date.parse('2026-11-22T10:00:00Z');
  const history = { lastSendAt: now - 60_000, sendsPerMinute: { '2026-11-22T09:59': 1, '2026-11-22T09:58': 1 } };
  const screening = { phone: DEFAULT_SMS_PROTECTION.limits.phone, facts: { clientId: 'bench-app', phoneHash: 'p'.repeat(64) } };
  const rounds = 200_000;
  let refused = 0;
  const started = process.cpuUsage();
  for (let i = 0; i < rounds; i++) refused += screenSend(screening, history, now + i).verdict === 'refuse' ? 1 : 0;
  const spent = process.cpuUsage(started);
  if (refused > rounds) throw new Error('unreachable');
  return (spent.user + spent.system) / rounds;
}

/** CPU of one read of a tenant's policy (`SmsProtectionPolicies.policy`) on a SQLite store, one read at a time. */
async function policyReadMicros(): Promise<number> {
  const dir = tempDir('screening');
  const eventStore = SqliteEventStore.open(path.join(dir, 'events.db'));
  try {
    const policies = new SmsProtectionPolicies({ eventStore, clock: systemClock, config: { sms: { protectionDefaults: {} } } });
    await policies.configure('bench', { limits: { phone: { cooldown_seconds: 0 } } }, {});
    for (let i = 0; i < 2000; i++) await policies.policy('bench');
    const rounds = 20_000;
    const started = process.cpuUsage();
    for (let i = 0; i < rounds; i++) await policies.policy('bench');
    const spent = process.cpuUsage(started);
    return (spent.user + spent.system) / rounds;
  } finally {
    await eventStore.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function screeningShare(server: ServerProcess, cycle: Operation, options: { ms: number; connections: number }) {
  const before = await server.probe();
  const { ops } = await measure(server, cycle, options);
  const after = await server.probe();
  const cycleMicros = (after.cpuMicros - before.cpuMicros) / ops;
  const metered = (after.screeningMicros - before.screeningMicros) / ops;
  const [rule, policyRead] = [screenSendMicros(), await policyReadMicros()];
  const screeningMicros = metered + rule + policyRead;
  return { cycleMicros, screeningMicros, share: screeningMicros / cycleMicros, metered, rule, policyRead };
}
