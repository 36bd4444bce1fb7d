// Instants survive a database whose own zone is not UTC: the adapter exchanges timestamps
// without offsets, so Loa's sessions must run at UTC whatever the server or database says.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../prisma/database.ts';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('a PostgreSQL database set to another zone', () => {
  it('reads back the instants SQL and Prisma wrote, unshifted', async () => {
    const name = `loa_zone_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.query(`ALTER DATABASE ${name} SET timezone = 'America/New_York'`);
    const target = new URL(url as string);
    target.pathname = `/${name}`;
    const db = await openDatabase({ kind: 'postgres', url: target.toString() });
    try {
      const [zone] = await db.prisma.$queryRaw<
        { zone: string }[]
      >`SELECT current_setting('TimeZone') AS zone`;
      expect(zone?.zone).toBe('UTC');
      const instant = new Date('2026-12-06T00:30:00.000Z');
      const [back] = await db.prisma.$queryRaw<{ sql: Date; bound: Date }[]>`
        SELECT to_timestamp(${instant.getTime()} / 1000.0) AS sql, ${instant}::timestamptz AS bound`;
      expect(back?.sql.toISOString()).toBe(instant.toISOString());
      expect(back?.bound.toISOString()).toBe(instant.toISOString());
    } finally {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
