// The PostgreSQL server's own CPU, read from /proc: how the benches measure the database's share of
// the work on a machine whose cores the load generator and other engineers share.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/** CPU (user + system) of the PostgreSQL server: the postmaster and every backend it forked, from /proc. */
export function postgresCpuMicros(postmaster: number): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      if (pid !== postmaster && ppid !== postmaster) continue;
      // utime, stime, and the exited children's cutime, cstime (backends that closed meanwhile)
      total += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return (total * 1_000_000) / ticks;
}

/** The postmaster's pid, from the data directory the server reports (the bench runs on the same machine). */
export async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
  await client.end();
  return Number(fs.readFileSync(path.join(rows[0]!.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}
