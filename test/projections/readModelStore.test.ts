import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { allProjections } from '../../projections/index.js';
import { ReadModelStore } from '../../projections/readModelStore.js';
import { tempDir } from '../support/tempDir.js';

describe('read model store: retired read models', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  it('drops the tables and checkpoints of provider_settings and application_policies that an older version wrote', () => {
    const file = path.join(dir.dir, 'readmodels.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE provider_settings (tenant_id TEXT PRIMARY KEY, settings TEXT NOT NULL);
      INSERT INTO provider_settings VALUES ('acme', '{"authToken":"sealed"}');
      CREATE TABLE application_policies (client_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      INSERT INTO projection_checkpoints VALUES ('provider_settings', 42, 1), ('application_policies', 42, 1), ('users', 42, 3);`);
    old.close();

    const store = ReadModelStore.open(file);
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).to.not.include.members(['provider_settings']).and.not.include('application_policies');
    expect(store.db.prepare('SELECT name FROM projection_checkpoints').pluck().all()).to.deep.equal(['users']);
    store.close();
  });

  it('no live projection owns a retired name', () => {
    const names = allProjections({ hmacKey: Buffer.alloc(32) }).map((projection) => projection.name);
    expect(names).to.not.include('provider_settings').and.not.include('application_policies');
  });
});
