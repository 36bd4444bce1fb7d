// A draft that was never processed can be deleted (its originals go unless another track uses
// them); an approval can be withdrawn; a processed bulletin is archived, never erased: hidden from
// lists, refused in playlists, not airable. Each is audited, and the slots that play it are
// planned again.
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { plannablePage } from '../../prisma/repositories/plannable.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
let officer: SignedIn;
let scheduler: SignedIn;
let dir: string;
let speech: string;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  w = await createTestWorld();
  officer = await signIn(w.app, 'officer');
  scheduler = await signIn(w.app, 'scheduler');
  dir = await mkdtemp(join(tmpdir(), 'loa-withdraw-'));
  speech = join(dir, 'speech.mp3');
  await generateSpeechLike(speech, { durationSec: 2, container: 'mp3' });
});
afterAll(async () => {
  await w?.close();
  await rm(dir, { recursive: true, force: true });
});

async function draftWithTrack(title: string): Promise<{ id: string; sha256: string }> {
  const created = await officer
    .send('post', '/api/bulletins', { communeId: w.communeA.id, title })
    .expect(201);
  const put = await officer.agent
    .put(`/api/bulletins/${created.body.id}/tracks/vie`)
    .set('x-csrf-token', officer.csrf)
    .attach('file', speech)
    .expect(200);
  return { id: created.body.id, sha256: put.body.tracks[0].sha256 };
}

/** An approved bulletin with a programme rendition, in a slot's playlist. */
async function approvedInSlot() {
  const prisma = w.db.prisma;
  const admin = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
  const bulletin = await prisma.bulletin.create({
    data: {
      communeId: w.communeA.id,
      title: `Đã phát ${randomUUID().slice(0, 6)}`,
      authorId: admin.id,
      status: 'READY',
      approvedAt: new Date(),
      approvedById: admin.id,
      renditions: {
        create: {
          revision: 0,
          profileId: 'mp3-24k',
          path: 'renditions/x/0/programme.mp3',
          mimeType: 'audio/mpeg',
          codec: 'mp3',
          sampleRate: 24000,
          channels: 1,
          bytes: 1n,
          sha256: 'b'.repeat(64),
          durationSec: 30,
          integratedLufs: -18,
          truePeakDbtp: -2,
        },
      },
    },
  });
  const calendar = await prisma.marketCalendar.findFirstOrThrow({ where: { communeId: w.communeA.id } });
  const slot = await prisma.slot.create({
    data: {
      calendarId: calendar.id,
      timeOfDay: '06:30',
      durationSec: 30,
      clusters: { create: { clusterId: w.clusterA } },
      playlist: { create: { position: 0, bulletinId: bulletin.id } },
    },
  });
  return { bulletinId: bulletin.id, slotId: slot.id, calendarId: calendar.id };
}

async function auditActions(entityId: string): Promise<string[]> {
  const rows = await w.db.prisma.auditEvent.findMany({ where: { entityId }, orderBy: { id: 'asc' } });
  return rows.map((r) => r.action);
}

async function materialiseJobs() {
  const jobs = await w.deps.jobs.queue('maintenance').getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs.filter((j) => j.name === 'materialise-broadcasts').map((j) => ({ id: j.id, data: j.data }));
}

describe('deleting a draft', () => {
  it('erases a never-processed draft with its tracks; an original another track uses stays', async () => {
    const first = await draftWithTrack('Nháp một');
    const second = await draftWithTrack('Nháp hai');
    expect(second.sha256).toBe(first.sha256);
    const original = w.deps.store.originalPath(first.sha256);
    expect(await exists(original)).toBe(true);

    await officer.send('delete', `/api/bulletins/${first.id}`).expect(204);
    await officer.send('get', `/api/bulletins/${first.id}`).expect(404);
    expect(await w.db.prisma.bulletinTrack.count({ where: { bulletinId: first.id } })).toBe(0);
    expect(await exists(original)).toBe(true);
    expect(await w.db.prisma.mediaFile.count({ where: { sha256: first.sha256 } })).toBe(1);
    expect(await auditActions(first.id)).toEqual([
      'bulletin.create',
      'bulletin.track-upload',
      'bulletin.delete',
    ]);

    await officer.send('delete', `/api/bulletins/${second.id}`).expect(204);
    expect(await exists(original)).toBe(false);
    expect(await w.db.prisma.mediaFile.count({ where: { sha256: first.sha256 } })).toBe(0);
  });

  it('refuses a processed bulletin (archive it instead), and an auditor', async () => {
    const { bulletinId } = await approvedInSlot();
    const refused = await officer.send('delete', `/api/bulletins/${bulletinId}`).expect(409);
    expect(refused.body.code).toBe('bulletin-not-erasable');
    const shown = await officer.send('get', `/api/bulletins/${bulletinId}`).expect(200);
    expect(shown.body.erasable).toBe(false);
    const auditor = await signIn(w.app, 'auditor');
    const draft = await draftWithTrack('Nháp ba');
    expect((await auditor.send('delete', `/api/bulletins/${draft.id}`).expect(403)).body.code).toBe(
      'forbidden',
    );
    expect((await officer.send('get', `/api/bulletins/${draft.id}`).expect(200)).body.erasable).toBe(true);
  });
});

describe('withdrawing an approval and archiving', () => {
  it('withdraws the approval: not airable, slots planned again, audited', async () => {
    const { bulletinId, slotId } = await approvedInSlot();
    const res = await scheduler
      .send('post', `/api/bulletins/${bulletinId}/withdraw-approval`, { reason: 'Sai ngày họp chợ' })
      .expect(200);
    expect([res.body.approvedAt, res.body.approvedById, res.body.archivedAt]).toEqual([null, null, null]);
    expect(await auditActions(bulletinId)).toEqual(['bulletin.withdraw-approval']);
    const jobs = await materialiseJobs();
    expect(jobs.filter((j) => j.id?.startsWith(`mat-${bulletinId}-`))).toEqual([
      { id: expect.stringMatching(new RegExp(`^mat-${bulletinId}-\\d+$`)), data: { slotIds: [slotId] } },
    ]);
    const page = await plannablePage(w.db.prisma, { size: 10, slotIds: [slotId] });
    expect(page.bulletins.get(bulletinId)?.airable).toBe(false);

    const again = await scheduler.send('post', `/api/bulletins/${bulletinId}/withdraw-approval`).expect(409);
    expect(again.body.code).toBe('not-approved');
  });

  it('archives an approved bulletin: kept, hidden from lists, refused in playlists, not airable', async () => {
    const { bulletinId, slotId, calendarId } = await approvedInSlot();
    const before = await plannablePage(w.db.prisma, { size: 10, slotIds: [slotId] });
    expect(before.bulletins.get(bulletinId)?.airable).toBe(true);

    const res = await officer
      .send('post', `/api/bulletins/${bulletinId}/archive`, { reason: 'Hết hạn' })
      .expect(200);
    expect(res.body.archivedAt).not.toBeNull();
    expect(res.body.renditions).toHaveLength(1);
    expect(await auditActions(bulletinId)).toEqual(['bulletin.archive']);
    expect((await materialiseJobs()).filter((j) => j.id?.startsWith(`mat-${bulletinId}-`))).toHaveLength(1);

    const after = await plannablePage(w.db.prisma, { size: 10, slotIds: [slotId] });
    expect(after.bulletins.get(bulletinId)?.airable).toBe(false);

    const ids = (res: { body: { id: string }[] }) => res.body.map((b) => b.id);
    expect(ids(await officer.send('get', '/api/bulletins').expect(200))).not.toContain(bulletinId);
    expect(ids(await officer.send('get', '/api/bulletins?archived=include').expect(200))).toContain(
      bulletinId,
    );
    expect(ids(await officer.send('get', '/api/bulletins?archived=only').expect(200))).toEqual([bulletinId]);

    const slot = await scheduler
      .send('post', '/api/slots', {
        calendarId,
        time: '09:00',
        clusterIds: [w.clusterA],
        bulletinIds: [bulletinId],
        durationSec: 60,
      })
      .expect(409);
    expect(slot.body.code).toBe('bulletin-not-approved');

    for (const [method, path, body] of [
      ['patch', '', { title: 'Đổi tên' }],
      ['post', '/approve', undefined],
      ['post', '/transcode', undefined],
      ['post', '/withdraw-approval', undefined],
      ['post', '/archive', undefined],
    ] as const) {
      const refused = await scheduler.send(method, `/api/bulletins/${bulletinId}${path}`, body).expect(409);
      expect(refused.body.code).toBe('bulletin-archived');
    }
    expect((await officer.send('delete', `/api/bulletins/${bulletinId}`).expect(409)).body.code).toBe(
      'bulletin-not-erasable',
    );
    expect(await w.db.prisma.bulletin.count({ where: { id: bulletinId } })).toBe(1);
  });
});
