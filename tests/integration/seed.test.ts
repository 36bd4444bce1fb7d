import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../platform/password.ts';
import { DEMO_COMMUNE, DEMO_USERS, LANGUAGES, seedDemo } from '../../prisma/seed.ts';
import { databaseKinds } from '../setup/databases.ts';

describe.each(databaseKinds)('demo seed on $name', (kind) => {
  it('creates a commune, two clusters, a market calendar and one user per role, once', async () => {
    const db = await kind.openMigrated();
    try {
      const first = await seedDemo(db.prisma, { password: 'demo-password-1' });
      expect(first.created.map((c) => c.username).sort()).toEqual(DEMO_USERS.map((u) => u.username).sort());

      const counts = async () => ({
        languages: await db.prisma.language.count(),
        communes: await db.prisma.commune.count(),
        clusters: await db.prisma.cluster.count(),
        calendars: await db.prisma.marketCalendar.count(),
        users: await db.prisma.user.count(),
        roles: await db.prisma.roleAssignment.count(),
      });
      const afterFirst = await counts();
      expect(afterFirst).toEqual({
        languages: LANGUAGES.length,
        communes: 1,
        clusters: 2,
        calendars: 1,
        users: 4,
        roles: 4,
      });

      const second = await seedDemo(db.prisma, { password: 'another-password' });
      expect(second.created).toEqual([]);
      expect(await counts()).toEqual(afterFirst);

      // The second run did not reset anyone's password.
      const officer = await db.prisma.user.findUniqueOrThrow({
        where: { username: 'officer' },
        include: { roles: true },
      });
      expect(await verifyPassword(officer.passwordHash, 'demo-password-1')).toBe(true);
      expect(await verifyPassword(officer.passwordHash, 'another-password')).toBe(false);
      const commune = await db.prisma.commune.findUniqueOrThrow({ where: { code: DEMO_COMMUNE.code } });
      expect(officer.roles).toEqual([expect.objectContaining({ role: 'OFFICER', communeId: commune.id })]);
      expect(commune.timeZone).toBe('Asia/Ho_Chi_Minh');
    } finally {
      await db.drop();
    }
  });

  it('gives each user a different random password when none is set', async () => {
    const db = await kind.openMigrated();
    try {
      const { created } = await seedDemo(db.prisma);
      const passwords = created.map((c) => c.password);
      expect(new Set(passwords).size).toBe(passwords.length);
      expect(passwords.every((p) => p.length >= 12)).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
