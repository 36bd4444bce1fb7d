import { describe, expect, it } from 'vitest';
import { applyMigrations, pendingSchemaChanges } from '../../prisma/migrate.ts';
import { readMigrationList } from '../../prisma/migrations-dir.ts';
import { databaseKinds } from '../setup/databases.ts';

describe('prisma/migrations', () => {
  it('matches schema.prisma exactly (no change left to migrate)', async () => {
    const sql = await pendingSchemaChanges();
    expect(sql).not.toMatch(/CREATE|ALTER|DROP/);
  });
});

describe.each(databaseKinds)('migrations on $name', (kind) => {
  it('apply from empty, are recorded like `prisma migrate deploy`, and re-apply as a no-op', async () => {
    const db = await kind.open();
    try {
      const expected = (await readMigrationList()).migrationDirectories.map((d) => d.path);
      expect(expected.length).toBeGreaterThan(0);
      expect(await applyMigrations(db.adapterFactory)).toEqual(expected);

      const recorded = await db.prisma.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
        SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`;
      expect(recorded.map((r) => r.migration_name)).toEqual(expected);
      expect(recorded.every((r) => r.finished_at !== null)).toBe(true);

      expect(await applyMigrations(db.adapterFactory)).toEqual([]);
      // The tables are really there and usable through the generated client.
      expect(await db.prisma.commune.count()).toBe(0);
      // The audit trail's trigger came through the migration on this database too.
      await db.prisma.auditEvent.create({
        data: { actorName: 'x', via: 'session', action: 'a', entityType: 'e' },
      });
      await expect(db.prisma.$executeRaw`DELETE FROM audit_event`).rejects.toThrow(/append-only/);
    } finally {
      await db.drop();
    }
  });
});
