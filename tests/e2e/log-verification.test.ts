// GET /api/log/verification: the log's verification state for auditors and admins, within their
// scope; a record changed behind the application shows as broken, naming the record. The
// worker's verify-log job keeps that state: records appended since its last run, the whole log
// once a day.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../platform/password.ts';
import { moveBroadcast } from '../../prisma/repositories/broadcasts.ts';
import { verifyLogJob } from '../../worker/jobs/verify-log.ts';
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
  ] as const)
    await endOne(communeId, clusterId);
});
afterAll(() => w?.close());

async function endOne(communeId: string, clusterId: string): Promise<void> {
  {
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
}

/** Changes one record's reason behind the application's back (trigger disabled, as a superuser could). */
async function tamper(where: string): Promise<void> {
  await w.db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('ALTER TABLE session_record DISABLE TRIGGER session_record_no_update_delete');
    await tx.$executeRawUnsafe(`UPDATE session_record SET reason = 'aired' WHERE ${where}`);
    await tx.$executeRawUnsafe('ALTER TABLE session_record ENABLE TRIGGER session_record_no_update_delete');
  });
}

it('shows auditors and admins the chains of their scope, and names a record changed behind the application', async () => {
  const admin = await signIn(w.app, 'admin');
  const all = await admin.send('get', '/api/log/verification');
  expect(all.status).toBe(200);
  expect(all.body.ok).toBe(true);
  const records = (id: string) =>
    all.body.chains.find((c: { communeId: string }) => c.communeId === id)?.records as number;
  expect([records(w.communeA.id), records(w.communeB.id)]).toEqual([2, 1]);

  await tamper(`"communeId" = '${w.communeB.id}'`);
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

it('serves the background verification: new records checked each run, old ones rewritten caught by the daily whole run', async () => {
  const admin = await signIn(w.app, 'admin');
  const day = Date.now();
  const run = (at: number) => verifyLogJob(w.db.prisma, w.redis, w.prefix, new Date(at));
  expect(await run(day)).toMatchObject({ whole: true, ok: false });
  const stored = await admin.send('get', '/api/log/verification');
  // The job's result, not one computed for the request: same instant as the run.
  expect(stored.body.checkedAt).toBe(new Date(day).toISOString());
  const chainOf = (body: { chains: { communeId: string; records: number; ok: boolean }[] }, id: string) =>
    body.chains.find((c) => c.communeId === id);
  expect(chainOf(stored.body, w.communeA.id)).toMatchObject({ records: 2, ok: true });

  // Commune A: its first record rewritten behind the application, then one more appended. The
  // next run starts after the head it verified and sees only the new record…
  await tamper(`"communeId" = '${w.communeA.id}' AND seq = 1`);
  await endOne(w.communeA.id, w.clusterA);
  expect(await run(day + 5 * 60_000)).toMatchObject({ whole: false });
  const resumed = await latestOf(admin);
  expect(chainOf(resumed, w.communeA.id)).toMatchObject({ records: 3, ok: true });
  // …commune B, found broken, is recomputed whole every run and stays broken.
  expect(chainOf(resumed, w.communeB.id)).toMatchObject({ ok: false });

  // …and the day's whole run finds the rewrite.
  expect(await run(day + 24 * 3600_000)).toMatchObject({ whole: true, ok: false });
  const whole = await latestOf(admin);
  expect(
    whole.chains.find((c: { communeId: string }) => c.communeId === w.communeA.id).mismatch,
  ).toMatchObject({
    problem: 'hash',
    seq: 1,
  });
});

async function latestOf(admin: Awaited<ReturnType<typeof signIn>>) {
  const res = await admin.send('get', '/api/log/verification');
  expect(res.status).toBe(200);
  return res.body;
}
