#!/usr/bin/env node
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../core/config/configSchema.js';
import { loadConfig } from '../core/config/loadConfig.js';
import { buildContainer } from '../core/container.js';
import type { Cradle } from '../core/cradle.js';
import { UsageError } from './args.js';
import { auditQuery, auditVerify, projectionsRebuild, protectionBacktest, state } from './commands.js';
import { keysRewrap, usersErase, usersExport } from './userCommands.js';

const usage = `usage: otpledger <command>   (config from OTPLEDGER_CONFIG, as the server)
  audit verify [--tenant <id>] [--allow-empty]        check every stream's hash chain; exit 1 at the first break,
                                                     and when there was nothing to check unless --allow-empty
  audit query --tenant <id> [--types A,B] [--user-id <id>] [--phone-number <e164>] [--client-id <id>]
              [--from <iso>] [--to <iso>] [--cursor <position>] [--format ndjson|csv]
  projections rebuild [name]                         drop read model(s) and replay every event
  protection backtest --tenant <id> [--policy <file.json>] [--from <iso>]
                                                     replay the log under an SMS protection policy: refusals per reason, false positives
  state --tenant <id> --kind user|policy|lockouts --id <id> [--at <iso|position>]
  state --tenant <id> --kind provider|protection [--at <iso|position>]   the tenant's SMS provider or protection policy: no --id
        --id is a user id (user), a client id (policy), an E.164 number or phone hash (lockouts)
  users export --tenant <id> --user <user id>        the data-subject access export (JSON)
  users erase --tenant <id> --user <user id>         erase a user: its keys destroyed, UserErased recorded
  keys rewrap                                        wrap every subject key under the current master key

The CLI works on an existing store only: it never creates one.`;

const commands: Record<string, (cradle: Cradle, args: string[]) => Promise<number>> = {
  'audit verify': auditVerify,
  'audit query': auditQuery,
  'projections rebuild': projectionsRebuild,
  'protection backtest': protectionBacktest,
  state,
  'users export': usersExport,
  'users erase': usersErase,
  'keys rewrap': keysRewrap,
};

/** Runs one command; returns the exit code. Output on stdout, diagnostics and progress on stderr. */
async function runCli(argv: string[]): Promise<number> {
  const key = argv[0] === 'state' ? 'state' : argv.slice(0, 2).join(' ');
  const command = commands[key];
  if (!command || argv.includes('--help')) {
    console.error(usage);
    return command || argv.includes('--help') ? 0 : 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(`otpledger: ${(error as Error).message}`);
    return 2;
  }
  const missing = missingStore(config);
  if (missing) {
    console.error(`otpledger: ${missing}`);
    return 2;
  }
  const container = await buildContainer({ ...config, log: { ...config.log, level: 'error' } });
  try {
    return await command(container.cradle, argv.slice(key.split(' ').length));
  } catch (error) {
    console.error(`otpledger: ${(error as Error).message}${error instanceof UsageError ? `\n${usage}` : ''}`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await container.dispose();
  }
}

/**
 * Opening a SQLite store that is not there would create an empty one (and fresh development keys beside it),
 * and every command would then answer about nothing: `audit verify` would say ok. Say where we looked instead.
 */
function missingStore(config: Config): string | undefined {
  const { url } = config.eventStore;
  if (!url.startsWith('sqlite:')) return undefined;
  const file = path.resolve(url.slice('sqlite:'.length));
  if (existsSync(file)) return undefined;
  return (
    `no event store at ${file}; the CLI opens an existing store and never creates one. ` +
    'Run it where the server keeps its data, or point it there with OTPLEDGER_DATA_DIR, OTPLEDGER_EVENT_STORE_URL or OTPLEDGER_CONFIG.'
  );
}

process.exitCode = await runCli(process.argv.slice(2));
