import type { Database, Statement } from 'better-sqlite3';
import { userDecider, type User } from '../core/users/userDecider.js';
import type { UserEvent } from '../core/users/userEvents.js';
import type { Projection } from './projection.js';

/**
 * Users by tenant: profile, verified phone, apps. Folded with the user decider's own `evolve`.
 * The projection reads the log as stored, so the profile's personal fields stay sealed in this file
 * (the API opens them through the key store): a lagging or rebuilt read model cannot hold what an
 * erasure destroyed. At `UserErased` the document is replaced by one without personal fields.
 * A batch folds in memory and writes each user it touched once, at its end; the table is keyed by
 * stream without a rowid, so a new user is two B-tree inserts (row and tenant index), not three.
 */
export const usersProjection: Projection<UserEvent> = {
  name: 'users',
  version: 3,
  canHandle: ['UserCreated', 'UserAddedToApp', 'PhoneVerified', 'UserErased'],
  forgetsOn: ['UserErased'],
  tables: ['users'],
  setup(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS users (
      stream TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL,
      erased_at TEXT) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS users_tenant ON users (tenant_id, user_id);`);
  },
  writer(db) {
    const get: Statement<[string], { doc: string }> = db.prepare('SELECT doc FROM users WHERE stream = ?');
    const put = db.prepare(`INSERT INTO users (stream, tenant_id, user_id, doc, updated_at, erased_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (stream) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at, erased_at = excluded.erased_at`);
    const touched = new Map<string, { user: User; updatedAt: Date }>();
    const current = (stream: string, type: string): User | undefined => {
      const pending = touched.get(stream);
      if (pending) return pending.user;
      // a creation starts from nothing: no need to look (most user events of a replay are creations)
      const row = type === 'UserCreated' ? undefined : get.get(stream);
      return row ? (JSON.parse(row.doc) as User) : userDecider.initialState();
    };
    return {
      apply(event) {
        const after = userDecider.evolve(current(event.streamName, event.type), event);
        if (after) touched.set(event.streamName, { user: after, updatedAt: event.recordedAt });
      },
      flush() {
        for (const [stream, { user, updatedAt }] of touched) {
          put.run(stream, user.tenantId, user.userId, JSON.stringify(user), updatedAt.toISOString(), user.erasedAt ?? null);
        }
        touched.clear();
      },
    };
  },
};

/** A user as stored: personal fields sealed (open them with `personalData.openData`); erased users included. */
export function getUser(db: Database, tenantId: string, userId: string): User | undefined {
  const row = db.prepare('SELECT doc FROM users WHERE tenant_id = ? AND user_id = ?').get(tenantId, userId) as { doc: string } | undefined;
  return row && (JSON.parse(row.doc) as User);
}

/** A tenant's users (not erased) ordered by user id, `limit` of them (-1: all) after the user id `after` (a cursor); sealed. */
export function listUsersPage(db: Database, tenantId: string, after: string, limit: number): User[] {
  const rows = db
    .prepare('SELECT doc FROM users WHERE tenant_id = ? AND user_id > ? AND erased_at IS NULL ORDER BY user_id LIMIT ?')
    .all(tenantId, after, limit) as { doc: string }[];
  return rows.map((row) => JSON.parse(row.doc) as User);
}

export function listUsers(db: Database, tenantId: string): User[] {
  return listUsersPage(db, tenantId, '', -1);
}
