import { loadConfig } from '../core/config/loadConfig.js';
import { buildContainer } from '../core/container.js';
import type { Cradle } from '../core/cradle.js';
import { UsageError } from './args.js';
import { auditQuery, auditVerify, projectionsRebuild, state } from './commands.js';
import { keysRewrap, usersErase, usersExport } from './userCommands.js';

const usage = `usage: otpledger <command>   (config from OTPLEDGER_CONFIG, as the server)
  audit verify [--tenant <id>]                       check every stream's hash chain; exit 1 at the first break
  audit query --tenant <id> [--types A,B] [--user-id <id>] [--phone-number <e164>] [--client-id <id>]
              [--from <iso>] [--to <iso>] [--cursor <position>] [--format ndjson|csv]
  projections rebuild [name]                         drop read model(s) and replay every event
  state --tenant <id> --kind user|provider|policy|lockouts --id <id> [--at <iso|position>]
  users export --tenant <id> --user <user id>        the data-subject access export (JSON)
  users erase --tenant <id> --user <user id>         erase a user: its keys destroyed, UserErased recorded
  keys rewrap                                        wrap every subject key under the current master key`;

const commands: Record<string, (cradle: Cradle, args: string[]) => Promise<number>> = {
  'audit verify': auditVerify,
  'audit query': auditQuery,
  'projections rebuild': projectionsRebuild,
  state,
  'users export': usersExport,
  'users erase': usersErase,
  'keys rewrap': keysRewrap,
};

/** Runs one command; returns the exit code. Output on stdout, diagnostics and progress on stderr. */
export async function runCli(argv: string[]): Promise<number> {
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

process.exitCode = await runCli(process.argv.slice(2));
