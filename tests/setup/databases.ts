// The databases a database test runs against: always PGlite (in memory), and a real
// PostgreSQL server too when TEST_DATABASE_URL points at one. Each test gets a fresh
// database of its own: empty (`open`), or with every migration applied (`openMigrated`).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../prisma/database.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { migratedSnapshot } from './pglite-snapshot.ts';

export type TestDatabase = Database & { drop(): Promise<void> };

export interface TestDatabaseKind {
  name: 'pglite' | 'postgres';
  /** Empty: no migration applied. */
  open(): Promise<TestDatabase>;
  /** Every migration in prisma/migrations applied. */
  openMigrated(): Promise<TestDatabase>;
}

async function migrated(db: TestDatabase): Promise<TestDatabase> {
  await applyMigrations(db.adapterFactory);
  return db;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export const pgliteKind: TestDatabaseKind = {
  name: 'pglite',
  async open() {
    const db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    return { ...db, drop: () => db.close() };
  },
  async openMigrated() {
    // The run's snapshot (tests/setup/pglite-snapshot.ts): no initdb, no schema engine.
    const snapshot = await migratedSnapshot();
    if (!snapshot) return migrated(await pgliteKind.open());
    const db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { loadDataDir: snapshot });
    return { ...db, drop: () => db.close() };
  },
};

export function postgresKind(url: string): TestDatabaseKind {
  const kind: TestDatabaseKind = {
    name: 'postgres',
    openMigrated: async () => migrated(await kind.open()),
    async open() {
      const name = `loa_test_${randomUUID().replaceAll('-', '')}`;
      await admin(url, (c) => c.query(`CREATE DATABASE ${name}`));
      const db = await openDatabase({ kind: 'postgres', url: withDatabase(url, name) });
      return {
        ...db,
        drop: async () => {
          await db.close();
          await admin(url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        },
      };
    },
  };
  return kind;
}

/** PGlite always; PostgreSQL when TEST_DATABASE_URL is set. */
export const databaseKinds: TestDatabaseKind[] = [
  pgliteKind,
  ...(process.env.TEST_DATABASE_URL ? [postgresKind(process.env.TEST_DATABASE_URL)] : []),
];
