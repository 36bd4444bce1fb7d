// The job table means what it says: a job running past its timeout has its ffmpeg children
// killed and fails for good with "timed out after N s" (the bulletin says so), and a worker that
// stops puts the job in hand back in its queue instead of failing it. Real worker, real ffmpeg.
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Who } from '../../domain/access.ts';
import { runFfmpeg } from '../../media/ffmpeg-runner.ts';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { bulletinService } from '../../server/modules/bulletins/service.ts';
import { JobTimeoutError, runWithin } from '../../worker/deadline.ts';
import { transcodeJobId } from '../../worker/jobs/catalogue.ts';
import { type RunningWorkers, startWorkers, type WorkerOptions } from '../../worker/main.ts';
import { createTestWorld, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
let who: Who;
let audio: string;
const eventsConnection = openRedis(inject('redisUrl'), 'worker');
const workerConnection = openRedis(inject('redisUrl'), 'worker');
let events: QueueEvents;

beforeAll(async () => {
  w = await createTestWorld();
  const officer = await w.db.prisma.user.findUniqueOrThrow({ where: { username: 'officer' } });
  who = {
    actor: {
      userId: officer.id,
      username: officer.username,
      displayName: officer.displayName,
      via: 'session',
      assignments: [{ role: 'OFFICER', province: null, communeId: w.communeA.id }],
    },
    origin: { ip: '127.0.0.1', userAgent: 'test' },
  };
  // Three minutes of speech: several seconds of ffmpeg work, far more than the limits below.
  audio = join(w.dataDir, 'long.wav');
  await generateSpeechLike(audio, { durationSec: 180, pitchHz: 150, container: 'wav' });
  events = new QueueEvents('transcode', { connection: eventsConnection, prefix: w.prefix });
  await events.waitUntilReady();
});

afterAll(async () => {
  await events?.close();
  eventsConnection.disconnect();
  workerConnection.disconnect();
  await w?.close();
});

/** ffmpeg and ffprobe processes started (directly or not) by this test process. */
function ffmpegDescendants(): number[] {
  const procs = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return [{ pid: Number(pid), ppid, comm }];
      } catch {
        return []; // exited while we looked
      }
    });
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => ours.has(p.pid) && /^ff(mpeg|probe)$/.test(p.comm)).map((p) => p.pid);
}

/** A bulletin with the long track, PROCESSING, its transcode job queued. */
async function bulletinBeingProcessed(): Promise<{ id: string; jobId: string }> {
  const db = w.db.prisma;
  const service = bulletinService({ db, store: w.deps.store, jobs: w.deps.jobs, maxAudioSec: 3600 });
  const bulletin = await db.bulletin.create({
    data: { communeId: w.communeA.id, title: 'Phiên chợ dài', authorId: who.actor?.userId as string },
  });
  const copy = await w.deps.store.newTmpPath('upload');
  await copyFile(audio, copy);
  const file = { path: copy, ...(await w.deps.store.fingerprint(copy)), fileName: 'long.wav' };
  await service.putTrack(bulletin.id, 'vie', file, 'UPLOAD', who);
  const { revision } = await service.requestTranscode(bulletin.id, who);
  return { id: bulletin.id, jobId: transcodeJobId(bulletin.id, revision) };
}

/** Resolves when the job reports progress (ffmpeg is at work), or with its failure reason. */
function heardOf(jobId: string, event: 'progress' | 'failed'): Promise<string> {
  return new Promise((resolve) => {
    const listener = (args: { jobId: string; failedReason?: string }) => {
      if (args.jobId !== jobId) return;
      events.off(event, listener);
      resolve(args.failedReason ?? '');
    };
    events.on(event, listener);
  });
}

function transcodeWorker(options: WorkerOptions): Promise<RunningWorkers> {
  const config = loadConfig({ LOA_DATA_DIR: w.dataDir, REDIS_PREFIX: w.prefix });
  return startWorkers(
    { config, logger: createLogger('silent'), db: w.db.prisma },
    workerConnection,
    ['transcode'],
    options,
  );
}

describe('the deadline a worker gives each handler', () => {
  it('aborts the ffmpeg child at the timeout and settles once it is gone, naming the limit', async () => {
    let pid = 0;
    const error = await runWithin({ timeoutMs: 500, what: 'test-job' }, (signal) =>
      runFfmpeg({
        // A minute of realtime-paced audio: only the deadline can end it in time.
        args: ['-re', '-f', 'lavfi', '-i', 'sine=d=60', '-f', 'null', '-'],
        allowGeneratedInputs: true,
        signal,
        timeoutMs: 120_000,
        stallMs: 60_000,
        onSpawn: (p) => {
          pid = p;
        },
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect((error as Error).message).toBe('test-job timed out after 0.5 s');
    expect(pid).toBeGreaterThan(0);
    expect(ffmpegDescendants()).toEqual([]);
  });

  it('gives up on a handler that ignores its signal once the settling time is over', async () => {
    const never = new Promise<never>(() => {});
    await expect(runWithin({ timeoutMs: 50, what: 'stuck-job', settleMs: 50 }, () => never)).rejects.toThrow(
      'stuck-job timed out after 0.05 s',
    );
  });
});

describe('a transcode that runs past its timeout', () => {
  it('has its ffmpeg killed and fails for good, the bulletin saying it timed out', async () => {
    const { id, jobId } = await bulletinBeingProcessed();
    const failed = heardOf(jobId, 'failed');
    // The whole transcode takes several seconds more than this (the test below sees it at work).
    const workers = await transcodeWorker({ timeoutMs: { 'transcode-bulletin': 3000 } });
    try {
      expect(await failed).toBe('transcode-bulletin timed out after 3 s');
      expect(ffmpegDescendants()).toEqual([]);
      const job = await w.deps.jobs.queue('transcode').getJob(jobId);
      // Final on the first attempt, though the catalogue allows two: it would time out again.
      expect([await job?.getState(), job?.attemptsMade]).toEqual(['failed', 1]);
      const bulletin = await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id } });
      expect([bulletin.status, bulletin.failureReason]).toEqual([
        'FAILED',
        'transcode-bulletin timed out after 3 s',
      ]);
      expect(await w.db.prisma.rendition.count({ where: { bulletinId: id } })).toBe(0);
    } finally {
      await workers.close();
    }
  }, 120_000);
});

describe('a worker that stops with a job in hand', () => {
  it('kills its ffmpeg and puts the job back in the queue, no attempt spent', async () => {
    const { id, jobId } = await bulletinBeingProcessed();
    const progressing = heardOf(jobId, 'progress');
    const workers = await transcodeWorker({});
    await progressing;
    expect(ffmpegDescendants().length).toBeGreaterThan(0);
    await workers.close();
    expect(ffmpegDescendants()).toEqual([]);
    const job = await w.deps.jobs.queue('transcode').getJob(jobId);
    expect([await job?.getState(), job?.attemptsMade]).toEqual(['waiting', 0]);
    const bulletin = await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id } });
    expect([bulletin.status, bulletin.failureReason]).toEqual(['PROCESSING', null]);
  }, 120_000);
});
