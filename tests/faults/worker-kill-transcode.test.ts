// Fault: the transcode worker process SIGKILLed while ffmpeg runs (the process alone, as the OOM
// killer or `kill -9 <pid>` does, not its group). Its ffmpeg children do not outlive it (their
// progress pipe breaks), the job goes to another worker, and the bulletin ends READY with every
// rendition verified: the file there, its sha256 and duration as recorded.
//
// BullMQ hands a dead worker's job on once its lock has expired (30 s) and a stall check has seen
// it twice (every 30 s); the test brings that forward by writing the state those leave in Redis
// (lock gone, job marked stalling, no check pending), so the next worker's first check takes it.
//
// A job whose worker dies with it once more than the stall limit allows (a second time) is failed
// by the next worker without being run: the bulletin then says FAILED, why, in Vietnamese and
// English, once — and the reconcile sweep does the same for one whose failure was never recorded.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { findProfile } from '../../media/profiles.ts';
import { openRedis } from '../../platform/redis.ts';
import { transcodeJobId } from '../../worker/jobs/catalogue.ts';
import { reconcileTranscodes } from '../../worker/jobs/reconcile-transcodes.ts';
import { probe } from '../integration/drivers/renditions.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';
import { type PrivatePostgres, startPrivatePostgres } from './support/postgres.ts';
import { killAllStarted, leftInGroup, processes, startLoaProcess, until } from './support/processes.ts';

let pg: PrivatePostgres;
let w: TestWorld;
let officer: SignedIn;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  w = await createTestWorld({}, pg.kind);
  officer = await signIn(w.app, 'officer');
});

afterAll(async () => {
  await killAllStarted();
  await w?.close();
  await pg?.destroy();
});

function transcodeWorker() {
  return startLoaProcess('worker/index.ts', {
    DATABASE_URL: w.db.target.kind === 'postgres' ? w.db.target.url : '',
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: w.prefix,
    LOA_DATA_DIR: w.dataDir,
    LOG_LEVEL: 'info',
    WORKER_QUEUES: 'transcode',
  });
}

const ffmpegOf = (pgid: number) => processes().filter((p) => p.pgrp === pgid && p.comm === 'ffmpeg');

/** A bulletin with a 3 s Vietnamese track, its transcode asked for: PROCESSING, its job queued. */
async function bulletinToTranscode(title: string) {
  const created = await officer
    .send('post', '/api/bulletins', {
      communeId: w.communeA.id,
      title,
      settings: { gapSec: 1, chime: false, repeat: 1 },
    })
    .expect(201);
  const bulletinId = created.body.id as string;
  const track = join(w.mediaDir, 'vie.wav');
  await generateSpeechLike(track, { durationSec: 3, pitchHz: 150, container: 'wav' });
  await officer.send('put', `/api/bulletins/${bulletinId}/tracks/vie`).attach('file', track).expect(200);
  const { body } = await officer.send('post', `/api/bulletins/${bulletinId}/transcode`).expect(202);
  return { bulletinId, jobId: transcodeJobId(bulletinId, body.revision as number) };
}

/** Kills the worker (the process only) once its ffmpeg runs; nothing of it stays. */
async function killMidTranscode(worker: ReturnType<typeof transcodeWorker>) {
  await until('ffmpeg running in the worker', () => ffmpegOf(worker.pgid).length > 0, 60_000);
  process.kill(worker.pgid, 'SIGKILL');
  await worker.exited;
  await until('no ffmpeg left', () => leftInGroup(worker.pgid).length === 0, 5_000);
}

/**
 * As BullMQ leaves a dead worker's job 30-60 s later: the lock expired, the job seen active by a
 * stall check; `stalledBefore` stalls counted already.
 */
async function expireLock(jobId: string, stalledBefore = 0) {
  const redis = openRedis(inject('redisUrl'), 'producer');
  const queue = `${w.prefix}:transcode`;
  await redis.del(`${queue}:${jobId}:lock`, `${queue}:stalled-check`);
  await redis.sadd(`${queue}:stalled`, jobId);
  if (stalledBefore > 0) await redis.hset(`${queue}:${jobId}`, 'stc', stalledBefore);
  redis.disconnect();
}

describe('transcode worker SIGKILLed mid-transcode', () => {
  it('leaves no ffmpeg behind; the job is retried and the renditions are verified', async () => {
    const { bulletinId, jobId } = await bulletinToTranscode('Bản tin bị cắt giữa chừng');
    const first = transcodeWorker();
    await first.waitFor('workers started', 60_000);
    // Its children see their pipe to it break and end within a progress period (0.5 s).
    await killMidTranscode(first);
    expect((await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id: bulletinId } })).status).toBe(
      'PROCESSING',
    );
    await expireLock(jobId);

    const second = transcodeWorker();
    const ready = await until(
      'READY after the retry',
      async () => {
        const b = await w.db.prisma.bulletin.findUniqueOrThrow({
          where: { id: bulletinId },
          include: { renditions: true },
        });
        expect(b.status).not.toBe('FAILED');
        return b.status === 'READY' && b;
      },
      120_000,
    );

    // Verified outputs: the programme in every profile and the Vietnamese track, each file as recorded.
    expect(
      ready.renditions
        .filter((r) => r.language === null)
        .map((r) => r.profileId)
        .sort(),
    ).toEqual(['mp3-24k', 'opus-24k', 'pcmu-16k', 'pcmu-8k', 'wav-l16'].sort());
    expect(ready.renditions.filter((r) => r.language === 'vie')).not.toHaveLength(0);
    for (const r of ready.renditions) {
      const file = join(w.mediaDir, r.path);
      expect(existsSync(file), r.path).toBe(true);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex'), r.path).toBe(r.sha256);
      expect(BigInt(readFileSync(file).length)).toBe(r.bytes);
      const probed = await probe(file, findProfile(r.profileId)); // raw µ-law needs its format
      expect(Math.abs(probed.durationSec - r.durationSec), r.path).toBeLessThan(0.1);
      expect(r.durationSec).toBeGreaterThan(2.5);
    }

    second.signal('SIGTERM');
    await second.exited;
    expect(leftInGroup(second.pgid)).toEqual([]);
  }, 240_000);
});

describe('transcode worker killed once more than the stall limit allows', () => {
  it('fails the bulletin with a reason in Vietnamese and English, once; the reconcile sweep agrees', async () => {
    const { bulletinId, jobId } = await bulletinToTranscode('Bản tin làm sập máy xử lý');
    const first = transcodeWorker();
    await first.waitFor('workers started', 60_000);
    await killMidTranscode(first);
    // Its second stall: the first one (an earlier death) already counted on the job.
    await expireLock(jobId, 1);

    const second = transcodeWorker();
    const failed = await until(
      'FAILED after the stall limit',
      async () => {
        const b = await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id: bulletinId } });
        return b.status === 'FAILED' && b;
      },
      60_000,
    );
    expect(failed.failureReason).toMatch(
      /^Máy xử lý đã dừng đột ngột nhiều lần .* \/ The worker stopped abruptly/,
    );
    const job = await w.deps.jobs.queue('transcode').getJob(jobId);
    expect([await job?.getState(), job?.failedReason]).toEqual([
      'failed',
      'job stalled more than allowable limit',
    ]);
    // Failed without being run again: no ffmpeg in the second worker, no rendition.
    expect(ffmpegOf(second.pgid)).toEqual([]);
    expect(await w.db.prisma.rendition.count({ where: { bulletinId } })).toBe(0);

    // The sweep neither runs the failed job again nor touches the settled bulletin.
    expect(await reconcileTranscodes(w.db.prisma, w.deps.jobs)).toEqual({ requeued: 0, failed: 0 });
    const after = await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id: bulletinId } });
    expect(after.updatedAt).toEqual(failed.updatedAt);
    expect(await job?.getState()).toBe('failed');

    // Had the failure never been recorded (the worker died between failing the job and saying so),
    // the sweep says it, once, and does not run the job again.
    await w.db.prisma.bulletin.update({
      where: { id: bulletinId },
      data: { status: 'PROCESSING', failureReason: null },
    });
    expect(await reconcileTranscodes(w.db.prisma, w.deps.jobs)).toEqual({ requeued: 0, failed: 1 });
    expect(await reconcileTranscodes(w.db.prisma, w.deps.jobs)).toEqual({ requeued: 0, failed: 0 });
    const swept = await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id: bulletinId } });
    expect([swept.status, swept.failureReason]).toEqual(['FAILED', failed.failureReason]);
    expect(await (await w.deps.jobs.queue('transcode').getJob(jobId))?.getState()).toBe('failed');

    second.signal('SIGTERM');
    await second.exited;
    expect(leftInGroup(second.pgid)).toEqual([]);
  }, 180_000);
});
