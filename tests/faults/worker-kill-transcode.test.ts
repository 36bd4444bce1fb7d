// Fault: the transcode worker process SIGKILLed while ffmpeg runs (the process alone, as the OOM
// killer or `kill -9 <pid>` does, not its group). Its ffmpeg children do not outlive it (their
// progress pipe breaks), the job goes to another worker, and the bulletin ends READY with every
// rendition verified: the file there, its sha256 and duration as recorded.
//
// BullMQ hands a dead worker's job on once its lock has expired (30 s) and a stall check has seen
// it twice (every 30 s); the test brings that forward by writing the state those leave in Redis
// (lock gone, job marked stalling, no check pending), so the next worker's first check takes it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { findProfile } from '../../media/profiles.ts';
import { openRedis } from '../../platform/redis.ts';
import { transcodeJobId } from '../../worker/jobs/catalogue.ts';
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

describe('transcode worker SIGKILLed mid-transcode', () => {
  it('leaves no ffmpeg behind; the job is retried and the renditions are verified', async () => {
    const created = await officer
      .send('post', '/api/bulletins', {
        communeId: w.communeA.id,
        title: 'Bản tin bị cắt giữa chừng',
        settings: { gapSec: 1, chime: false, repeat: 1 },
      })
      .expect(201);
    const bulletinId = created.body.id as string;
    const track = join(w.mediaDir, 'vie.wav');
    await generateSpeechLike(track, { durationSec: 3, pitchHz: 150, container: 'wav' });
    await officer.send('put', `/api/bulletins/${bulletinId}/tracks/vie`).attach('file', track).expect(200);

    const first = transcodeWorker();
    await first.waitFor('workers started', 60_000);
    const { body } = await officer.send('post', `/api/bulletins/${bulletinId}/transcode`).expect(202);
    const revision = body.revision as number;
    await until('ffmpeg running in the worker', () => ffmpegOf(first.pgid).length > 0, 60_000);
    process.kill(first.pgid, 'SIGKILL'); // the worker process only
    await first.exited;
    // Its children see their pipe to it break and end within a progress period (0.5 s).
    await until('no ffmpeg left', () => leftInGroup(first.pgid).length === 0, 5_000);
    expect((await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id: bulletinId } })).status).toBe(
      'PROCESSING',
    );

    // As BullMQ leaves it 30-60 s later: the lock expired, the job seen active by a stall check.
    const redis = openRedis(inject('redisUrl'), 'producer');
    const queue = `${w.prefix}:transcode`;
    const jobId = transcodeJobId(bulletinId, revision);
    await redis.del(`${queue}:${jobId}:lock`, `${queue}:stalled-check`);
    await redis.sadd(`${queue}:stalled`, jobId);
    redis.disconnect();

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
