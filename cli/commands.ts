import os from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { auditPhoneHash, auditRecords } from '../core/audit/auditEvents.js';
import { auditFilters, describeFilters, parseAuditQuery } from '../core/audit/auditFilters.js';
import { recordAuditQuery } from '../core/audit/auditLog.js';
import { exportLines } from '../core/audit/exportFormats.js';
import { verifyChain } from '../core/audit/verifyChain.js';
import type { Cradle } from '../core/cradle.js';
import { parsePointInTime, stateAt } from '../core/timeTravel/stateAt.js';
import { parseStateQuery } from '../core/timeTravel/stateQuery.js';
import { readFileSync } from 'node:fs';
import { backtest, BACKTEST_EVENT_TYPES } from '../core/protection/backtest.js';
import { parseSmsProtectionPolicy } from '../core/protection/smsProtectionPolicy.js';
import { rebuildProjections } from '../projections/rebuild.js';
import { checkedOptions, parseOptions, UsageError } from './args.js';
import { progressBar } from './progressBar.js';

const actor = () => `cli:${os.userInfo().username}`;
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/**
 * `audit verify [--tenant t] [--allow-empty]`: exit 1 at the first broken link, and on zero events unless allowed.
 * stdout agrees with the exit code: zero events refused print `ok: false` and the reason.
 */
export async function auditVerify(cradle: Cradle, args: string[]): Promise<number> {
  const { options, flags } = parseOptions(args, ['tenant'], ['allow-empty']);
  const tenantId = options.tenant;
  const report = await verifyChain(cradle.storedEvents, { ...(tenantId && { tenantId }) });
  // recorded after the walk, so this query's own record never makes an empty tenant look verified;
  // a tenant with no events at all (a typo) gets no audit stream
  if (tenantId && report.events > 0) await recordAuditQuery(cradle.eventStore, cradle.clock, tenantId, actor(), 'verify', {});
  if (report.broken) {
    print(report);
    const { stream, revision, problem } = report.broken;
    console.error(`otpledger: hash chain broken at stream ${stream} revision ${revision} (${problem})`);
    return 1;
  }
  if (report.events === 0) {
    const scope = tenantId ? ` of tenant ${tenantId}` : '';
    if (flags['allow-empty']) {
      print(report);
      console.error(`otpledger: no events${scope} to verify (accepted: --allow-empty)`);
      return 0;
    }
    const reason = `no events${scope} to verify: nothing was checked (wrong store or tenant?)`;
    print({ ...report, ok: false, reason });
    console.error(`otpledger: ${reason}; --allow-empty accepts an empty store`);
    return 1;
  }
  print(report);
  console.error(`otpledger: ${report.events} events in ${report.streams} streams verified`);
  return 0;
}

/**
 * `audit query --tenant t [--types ..] [--user-id ..] [--phone-number ..] [--client-id ..] [--from ..] [--to ..] [--cursor ..]
 * [--format ndjson|csv]`
 */
export async function auditQuery(cradle: Cradle, args: string[]): Promise<number> {
  const { options } = parseOptions(args, ['tenant', 'types', 'user-id', 'phone-number', 'client-id', 'from', 'to', 'cursor', 'format']);
  if (!options.tenant) throw new UsageError('--tenant is required');
  const format = options.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv') throw new UsageError('--format must be ndjson or csv');
  const query = checkedOptions(parseAuditQuery, {
    types: options.types,
    user_id: options['user-id'],
    phone_number: options['phone-number'],
    client_id: options['client-id'],
    from: options.from,
    to: options.to,
    cursor: options.cursor,
  });
  const filters = auditFilters(options.tenant, query);
  const phoneHash = auditPhoneHash(filters, cradle.secrets.hmacKey);
  await recordAuditQuery(cradle.eventStore, cradle.clock, options.tenant, actor(), 'events', { ...describeFilters(filters), format });
  const records = auditRecords(cradle.eventStore, cradle.readModels.db, filters, phoneHash);
  await pipeline(Readable.from(exportLines(records, format)), process.stdout, { end: false });
  return 0;
}

/** `projections rebuild [name]` */
export async function projectionsRebuild(cradle: Cradle, args: string[]): Promise<number> {
  const { positionals } = parseOptions(args, []);
  const [name] = positionals;
  const chosen = name ? cradle.projections.filter((projection) => projection.name === name) : cradle.projections;
  if (chosen.length === 0)
    throw new UsageError(`no projection named ${name}; there are ${cradle.projections.map((p) => p.name).join(', ')}`);
  const bar = progressBar(`rebuilding ${chosen.map((p) => p.name).join(', ')}`);
  const started = Date.now();
  const result = await rebuildProjections(cradle.storedEvents, cradle.readModels, chosen, ({ position, head }) =>
    bar.update(position, head),
  );
  bar.update(result.head, result.head);
  bar.end(
    `rebuilt ${chosen.length} projection(s) up to position ${Math.max(result.head, result.position)}: ${result.events.toLocaleString('en-US')} events of the types they handle, in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return 0;
}

/** `state --tenant t --kind user|provider|policy|lockouts|protection --id .. [--at ISO|position]` */
export async function state(cradle: Cradle, args: string[]): Promise<number> {
  const { options } = parseOptions(args, ['tenant', 'kind', 'id', 'at']);
  if (!options.tenant) throw new UsageError('--tenant is required');
  const { kind, id, at } = checkedOptions(parseStateQuery, { kind: options.kind, id: options.id, at: options.at });
  const point = parsePointInTime(at ?? cradle.clock.now().toISOString());
  await recordAuditQuery(cradle.eventStore, cradle.clock, options.tenant, actor(), 'state', { kind, at: at ?? null });
  print(
    await stateAt(
      { eventStore: cradle.eventStore, hmacKey: cradle.secrets.hmacKey, protectionDefaults: cradle.smsProtectionPolicies.defaults },
      options.tenant,
      kind,
      id ?? options.tenant,
      point,
    ),
  );
  return 0;
}

/**
 * `protection backtest --tenant t [--policy file.json] [--from ISO]`: replays the tenant's OTP events under a
 * policy (the file's, laid over the deployment's defaults as a PUT would be; else the tenant's policy in force)
 * and prints, per reason, how many sends it would have refused and how many of those were verified later.
 */
export async function protectionBacktest(cradle: Cradle, args: string[]): Promise<number> {
  const { options } = parseOptions(args, ['tenant', 'policy', 'from']);
  if (!options.tenant) throw new UsageError('--tenant is required');
  const from = options.from === undefined ? undefined : new Date(options.from);
  if (from && Number.isNaN(from.getTime())) throw new UsageError('--from must be an ISO 8601 time');
  let policy;
  if (options.policy) {
    let body: unknown;
    try {
      body = JSON.parse(readFileSync(options.policy, 'utf8'));
    } catch (error) {
      throw new UsageError(`--policy ${options.policy}: ${(error as Error).message}`);
    }
    policy = parseSmsProtectionPolicy(body, cradle.smsProtectionPolicies.defaults);
  } else {
    policy = await cradle.smsProtectionPolicies.policy(options.tenant);
  }
  const head = await cradle.eventStore.lastPosition();
  const bar = progressBar(`backtesting ${options.tenant}`);
  const events = cradle.eventStore.readAll({
    filter: { streamPrefixes: [`otp-${options.tenant}-`], eventTypes: BACKTEST_EVENT_TYPES, ...(from && { recordedFrom: from }) },
  });
  let seen = 0;
  const report = await backtest(events, policy, (event) => {
    if (++seen % 500 === 0) bar.update(event.globalPosition, head);
  });
  bar.update(head, head);
  const refused = Object.values(report.refused).reduce((sum, r) => sum + r.refused, 0);
  bar.end(
    `replayed ${report.sends.toLocaleString('en-US')} sends: ${refused.toLocaleString('en-US')} would have been refused or held back`,
  );
  print({ tenant: options.tenant, from: from?.toISOString() ?? null, policy, ...report });
  return 0;
}
