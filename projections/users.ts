import type { Database, Statement } from 'better-sqlite3';
import type { RecordedEvent } from '../core/eventStore/types.js';
import { userDecider, type User } from '../core/users/userDecider.js';
import type { UserEvent } from '../core/users/userEvents.js';
import type { Projection } from './projection.js';

/** Users by tenant: profile, verified phone, apps. Folded with the user decider's own `evolve`. */
export const usersProjection: Projection = {
  name: 'users',
  version: 1,
  canHandle: ['UserCreated', 'UserAddedToApp', 'PhoneVerified'],
  tables: ['users'],
  setup(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS users (
      stream TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS users_tenant ON users (tenant_id, user_id);`);
  },
  writer(db) {
    const get: Statement<[string], { doc: string }> = db.prepare('SELECT doc FROM users WHERE stream = ?');
    const put = db.prepare(`INSERT INTO users (stream, tenant_id, user_id, doc, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (stream) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`);
    return {
      apply(event: RecordedEvent) {
        // a creation starts from nothing: no need to look (most user events of a replay are creations)
        const row = event.type === 'UserCreated' ? undefined : get.get(event.streamName);
        const before = row ? (JSON.parse(row.doc) as User) : userDecider.initialState();
        const after = userDecider.evolve(before, { type: event.type, data: event.data } as UserEvent);
        if (after) put.run(event.streamName, after.tenantId, after.userId, JSON.stringify(after), event.recordedAt.toISOString());
      },
    };
  },
};

export function getUser(db: Database, tenantId: string, userId: string): User | undefined {
  const row = db.prepare('SELECT doc FROM users WHERE tenant_id = ? AND user_id = ?').get(tenantId, userId) as { doc: string } | undefined;
  return row && (JSON.parse(row.doc) as User);
}

export function listUsers(db: Database, tenantId: string): User[] {
  const rows = db.prepare('SELECT doc FROM users WHERE tenant_id = ? ORDER BY user_id').all(tenantId) as { doc: string }[];
  return rows.map((row) => JSON.parse(row.doc) as User);
}
