import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** The test database, given by `.ci/run` (or by hand: `bash .ci/postgres.sh start`). */
export const postgresUrl = process.env.OTPLEDGER_TEST_POSTGRES?.trim() || undefined;

const SKIP_REASON =
  'PostgreSQL tests skipped: OTPLEDGER_TEST_POSTGRES is not set (CI sets it; by hand: ' +
  '`eval "$(bash .ci/postgres.sh start | tail -1)"` starts a throwaway cluster and prints the variable)';

/** `.ci/run` sets it: there a missing database fails the run instead of skipping the PostgreSQL tests. */
const required = process.env.OTPLEDGER_REQUIRE_POSTGRES === '1';

/**
 * In a test or hook that needs PostgreSQL without a test database: skips it, saying why, or fails it when
 * `OTPLEDGER_REQUIRE_POSTGRES=1` (CI). Answers the database's URL otherwise.
 */
export function needPostgres(context: Mocha.Context): string {
  if (postgresUrl) return postgresUrl;
  if (required) throw new Error('OTPLEDGER_REQUIRE_POSTGRES=1 but OTPLEDGER_TEST_POSTGRES is not set: CI must start PostgreSQL');
  console.log(`      ${SKIP_REASON}`);
  return context.skip();
}

/** `describe` when a test database is given; otherwise one test that skips or fails as `needPostgres` says. */
export function describePostgres(title: string, body: (url: string) => void): void {
  if (postgresUrl) {
    describe(title, () => body(postgresUrl));
    return;
  }
  describe(title, () => {
    it('needs a PostgreSQL server', function () {
      needPostgres(this);
    });
  });
}

/**
 * A store URL on a fresh schema of the test database, so tests never see each other's events, and
 * a way to drop it afterwards.
 */
export function freshSchema(url: string, label = 't'): { url: string; schema: string; drop(): Promise<void> } {
  const schema = `${label}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const withSchema = new URL(url);
  withSchema.searchParams.set('schema', schema);
  return {
    url: withSchema.toString(),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
