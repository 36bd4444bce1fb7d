// GET /api/log/verification: the log's verification state for auditors and admins, within their
// scope; a record changed behind the application shows as broken, naming the record.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../platform/password.ts';
import { moveBroadcast } from '../../prisma/repositories/broadcasts.ts';
import { createTestWorld, PASSWORD, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
beforeAll(async () => {
  w = await createTestWorld();
  await w.db.prisma.user.create({
    data: {
      username: 'auditor-b',
      displayName: 'Thanh tra xã B',
      passwordHash: await hashPassword(PASSWORD),
      roles: { create: { role: 'AUDITOR', communeId: w.communeB.id } },
    },
  });
  for (const [communeId, clusterId] of [
    [w.communeA.id, w.clusterA],
    [w.communeA.id, w.clusterA],
    [w.communeB.id, w.clusterB],
  ] as const) {
    const b = await w.db.prisma.broadcast.create({
      data: {
        kind: 'EMERGENCY',
        communeId,
        clusterId,
        requestId: crypto.randomUUID(),
        scheduledAt: new Date(),
        priority: 'EMERGENCY',
        profileId: 'wav-l16',
        driverKind: 'RECORDER',
        durationSec: 5,
        plan: { items: [] },
      },
    });
    expect(await moveBroadcast(w.db.prisma, b.id, 'MISSED', { reasonCode: 'late' })).toBe(true);
  }
});
afterAll(() => w?.close());

it('shows auditors and admins the chains of their scope, and names a record changed behind the application', async () => {
  const admin = await signIn(w.app, 'admin');
  const all = await admin.send('get', '/api/log/verification');
  expect(all.status).toBe(200);
  expect(all.body.ok).toBe(true);
  const records = (id: string) =>
    all.body.chains.find((c: { communeId: string }) => c.communeId === id)?.records as number;
  expect([records(w.communeA.id), records(w.communeB.id)]).toEqual([2, 1]);

  await w.db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('ALTER TABLE session_record DISABLE TRIGGER session_record_no_update_delete');
    await tx.$executeRawUnsafe(
      `UPDATE session_record SET reason = 'aired' WHERE "communeId" = '${w.communeB.id}'`,
    );
    await tx.$executeRawUnsafe('ALTER TABLE session_record ENABLE TRIGGER session_record_no_update_delete');
  });
  // Results are kept 30 s per scope: a scope not asked for before sees the change at once.
  const broken = await admin.send('get', `/api/log/verification?communeId=${w.communeB.id}`);
  expect(broken.status).toBe(200);
  expect(broken.body.ok).toBe(false);
  const record = await w.db.prisma.sessionRecord.findFirstOrThrow({ where: { communeId: w.communeB.id } });
  expect(broken.body.chains[0].mismatch).toMatchObject({
    problem: 'hash',
    seq: 1,
    broadcastId: record.broadcastId,
  });
  expect(broken.body.chainHeads).toEqual([]);
  const demoAuditor = await signIn(w.app, 'auditor');
  const ofA = await demoAuditor.send('get', '/api/log/verification');
  expect(ofA.body.chains.map((c: { communeId: string }) => c.communeId)).toEqual([w.communeA.id]);
  const scoped = await signIn(w.app, 'auditor-b');
  const own = await scoped.send('get', '/api/log/verification');
  expect(own.body.chains.map((c: { communeId: string }) => c.communeId)).toEqual([w.communeB.id]);
  const other = await scoped.send('get', `/api/log/verification?communeId=${w.communeA.id}`);
  expect(other.status).toBe(404);
  const officer = await signIn(w.app, 'officer');
  expect((await officer.send('get', '/api/log/verification')).status).toBe(403);
});
