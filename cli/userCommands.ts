import os from 'node:os';
import { recordAuditQuery } from '../core/audit/auditLog.js';
import type { Cradle } from '../core/cradle.js';
import { UnknownUserError } from '../core/privacy/dataSubjectRequests.js';
import { parseOptions, UsageError } from './args.js';

const actor = () => `cli:${os.userInfo().username}`;
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function tenantAndUser(args: string[]): { tenant: string; user: string } {
  const { options } = parseOptions(args, ['tenant', 'user']);
  if (!options.tenant) throw new UsageError('--tenant is required');
  if (!options.user) throw new UsageError('--user is required');
  return { tenant: options.tenant, user: options.user };
}

/** Data-subject requests need the subject index up to date: this process catches the read models up first. */
async function withReadModels<T>(cradle: Cradle, run: () => Promise<T>): Promise<T> {
  cradle.projectionRunner.start();
  try {
    return await run();
  } finally {
    await cradle.projectionRunner.stop();
  }
}

const notFound = (tenant: string, user: string) => {
  console.error(`otpledger: no user ${user} in tenant ${tenant}`);
  return 1;
};

/** `users export --tenant t --user id`: the data-subject access export, as JSON on stdout. */
export async function usersExport(cradle: Cradle, args: string[]): Promise<number> {
  const { tenant, user } = tenantAndUser(args);
  await recordAuditQuery(
    cradle.eventStore,
    cradle.clock,
    tenant,
    actor(),
    'export',
    { userId: user },
    { tenantId: tenant, actor: actor() },
  );
  try {
    print(await withReadModels(cradle, () => cradle.dataSubjectRequests.export(tenant, user)));
    return 0;
  } catch (error) {
    if (error instanceof UnknownUserError) return notFound(tenant, user);
    throw error;
  }
}

/** `users erase --tenant t --user id`: destroys the user's keys and records `UserErased`; again is a no-op. */
export async function usersErase(cradle: Cradle, args: string[]): Promise<number> {
  const { tenant, user } = tenantAndUser(args);
  try {
    const erasure = await withReadModels(cradle, () =>
      cradle.dataSubjectRequests.erase(tenant, user, actor(), { tenantId: tenant, actor: actor() }),
    );
    print(erasure);
    console.error(`otpledger: user ${user} erased at ${erasure.erased_at}; its keys are destroyed`);
    return 0;
  } catch (error) {
    if (error instanceof UnknownUserError) return notFound(tenant, user);
    throw error;
  }
}

/** `keys rewrap`: every subject key wrapped again under the current master key (then the previous one can go). */
export async function keysRewrap(cradle: Cradle, args: string[]): Promise<number> {
  parseOptions(args, []);
  const changed = await cradle.subjectKeys.rewrapAll();
  console.error(`otpledger: ${changed} subject key(s) rewrapped under master key ${cradle.secrets.masterKeyId}`);
  return 0;
}
