// An emergency asked for over the API preempts what a cluster airs: the real API, BullMQ on real
// Redis, the dispatch worker and the recorder driver. The normal airing's recording ends where
// it was cut, the emergency's holds the whole bulletin, both rows end in the right states, and
// the audit trail keeps the scheduler's reason.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { probeMedia } from '../../media/probe.ts';
import { MediaStore } from '../../media/store.ts';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { airNowJobId } from '../../worker/jobs/catalogue.ts';
import { type RunningWorkers, startWorkers } from '../../worker/main.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
let scheduler: SignedIn;
let workers: RunningWorkers;
const workerConnection = openRedis(inject('redisUrl'), 'worker');

beforeAll(async () => {
  w = await createTestWorld();
  const config = loadConfig({ LOA_DATA_DIR: w.dataDir, REDIS_PREFIX: w.prefix, LOG_LEVEL: 'silent' });
  workers = await startWorkers(
    { config, logger: createLogger('silent'), db: w.db.prisma },
    workerConnection,
    ['dispatch'],
  );
  scheduler = await signIn(w.app, 'scheduler');
});

afterAll(async () => {
  await workers?.close();
  workerConnection.disconnect();
  await w?.close();
});

/** A WAV L16 programme under the media directory, as the transcoder would leave it. */
async function programme(name: string, seconds: number, pitchHz: number) {
  const store = new MediaStore(w.mediaDir);
  const path = `renditions/${name}/0/programme.wav`;
  const full = store.resolveRelative(path);
  await mkdir(join(full, '..'), { recursive: true });
  await generateSpeechLike(full, {
    durationSec: seconds,
    pitchHz,
    sampleRate: 16000,
    channels: 1,
    container: 'wav',
  });
  const { sha256, bytes } = await store.fingerprint(full);
  const info = await probeMedia(full);
  return { path, sha256, bytes, durationSec: info.durationSec ?? seconds };
}

/** Polls a row, bounded: the worker moves it by itself and there is no event to wait on. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in time: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const broadcast = (id: string) => w.db.prisma.broadcast.findUniqueOrThrow({ where: { id } });

describe('an emergency over the API', () => {
  it('preempts a running recorder broadcast; both end as they should; the reason is audited', async () => {
    const prisma = w.db.prisma;
    const admin = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const cluster = w.clusterA;

    // The emergency bulletin: approved, processed, a 3 s programme in the recorder's profile.
    const emergency = await prisma.bulletin.create({
      data: {
        communeId: w.communeA.id,
        title: 'Cảnh báo lũ quét',
        priority: 'EMERGENCY',
        status: 'READY',
        authorId: admin.id,
        approvedAt: new Date(),
        approvedById: admin.id,
      },
    });
    const alarm = await programme(emergency.id, 3, 320);
    await prisma.rendition.create({
      data: {
        bulletinId: emergency.id,
        revision: 0,
        profileId: 'wav-l16',
        path: alarm.path,
        mimeType: 'audio/wav',
        codec: 'pcm_s16le',
        sampleRate: 16000,
        channels: 1,
        bytes: BigInt(alarm.bytes),
        sha256: alarm.sha256,
        durationSec: alarm.durationSec,
        integratedLufs: -18,
        truePeakDbtp: -3,
      },
    });

    // A long normal airing on the cluster, started now through the same job an airing uses.
    const market = await programme('market-prices', 20, 150);
    const normal = await prisma.broadcast.create({
      data: {
        kind: 'SLOT',
        communeId: w.communeA.id,
        clusterId: cluster,
        scheduledAt: new Date(),
        priority: 'NORMAL',
        profileId: 'wav-l16',
        driverKind: 'RECORDER',
        durationSec: market.durationSec,
        plan: {
          items: [
            {
              bulletinId: randomUUID(),
              renditionId: randomUUID(),
              ...market,
              segments: [{ kind: 'language', language: 'vie', startSec: 0, durationSec: market.durationSec }],
            },
          ],
        },
      },
    });
    await w.deps.jobs.enqueue('air-now', { broadcastIds: [normal.id] }, airNowJobId(randomUUID()));
    await until(
      () => broadcast(normal.id),
      (b) => b.status === 'AIRING',
    );

    const reason = 'Lũ quét trên suối Nậm Na, yêu cầu sơ tán';
    const asked = Date.now();
    const res = await scheduler
      .send('post', '/api/emergencies', { bulletinId: emergency.id, clusterIds: [cluster], reason })
      .expect(202);
    const emergencyId = res.body.broadcasts[0].id as string;

    const cut = await until(
      () => broadcast(normal.id),
      (b) => b.status !== 'AIRING',
    );
    const aired = await until(
      () => broadcast(emergencyId),
      (b) => b.status === 'AIRED' || b.status === 'FAILED' || b.status === 'MISSED',
    );

    expect(cut).toMatchObject({ status: 'PREEMPTED', reasonCode: 'preempted', preemptedById: emergencyId });
    expect(cut.secondsAired).toBeGreaterThan(0);
    expect(cut.secondsAired).toBeLessThan(market.durationSec - 5);
    expect(aired).toMatchObject({
      status: 'AIRED',
      kind: 'EMERGENCY',
      priority: 'EMERGENCY',
      triggerReason: reason,
    });
    // The emergency started within a few seconds of being asked for (queue + prepare + preempt).
    expect((aired.firstAudioAt?.getTime() ?? Number.POSITIVE_INFINITY) - asked).toBeLessThan(5_000);

    // What the cluster heard: the normal airing ends where it was cut, the emergency is whole.
    const recordings = join(w.mediaDir, 'recordings');
    const normalHeard = await probeMedia(join(recordings, `${normal.id}.wav`));
    expect(Math.abs((normalHeard.durationSec ?? 0) - (cut.secondsAired ?? 0))).toBeLessThan(0.1);
    const alarmHeard = await probeMedia(join(recordings, `${emergencyId}.wav`));
    expect(Math.abs((alarmHeard.durationSec ?? 0) - alarm.durationSec)).toBeLessThan(0.05);

    // Served back to the scheduler as the board's player asks for it.
    const played = await scheduler.send('get', `/api/broadcasts/${emergencyId}/recording`).expect(200);
    expect(played.headers['content-type']).toBe('audio/wav');

    const audit = await prisma.auditEvent.findMany({
      where: { action: 'broadcast.emergency', entityId: emergency.id },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ reason, actorName: 'scheduler', communeId: w.communeA.id });
    expect((audit[0]?.after as { broadcastIds: string[] }).broadcastIds).toEqual([emergencyId]);
  }, 90_000);
});
