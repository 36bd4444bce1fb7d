/** A PostgreSQL database for a benchmark: TEST_DATABASE_URL's server, or the CI script's throwaway cluster. */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { type Database, openDatabase } from '../../prisma/database.ts';

function serverUrl(): string {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const script = resolve(import.meta.dirname, '../../.ci/postgres.sh');
  const out = execFileSync('bash', [script, 'start'], { encoding: 'utf8' });
  const url = /TEST_DATABASE_URL=(\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`could not start PostgreSQL: ${out}`);
  return url;
}

export async function benchDatabase(): Promise<Database & { drop(): Promise<void> }> {
  const url = serverUrl();
  const name = `loa_bench_${randomUUID().replaceAll('-', '')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: u.toString() });
  return {
    ...db,
    drop: async () => {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
