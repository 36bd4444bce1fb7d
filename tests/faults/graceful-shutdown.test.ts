// Fault: SIGTERM (docker stop, systemd) to the API process and to a worker process, each
// `node --import tsx …/index.ts` as deployed, signalled alone (not their group).
// - API: it stops taking connections at once; a slow upload in flight finishes (200, the track
//   stored); the process exits 0 within its 10 s grace, nothing of its group left.
// - Worker (dispatch + transcode): a running airing finishes and lands once (aired, one attempt);
//   the running transcode's ffmpeg is killed and its job handed back to the queue (waiting, no
//   attempt spent, the bulletin still processing: the next worker makes it); the process exits 0
//   within the grace, nothing of its group left.

import { mkdir, readFile, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { probeMedia } from '../../media/probe.ts';
import { openRedis } from '../../platform/redis.ts';
import { freePort } from '../../scripts/redis-child.ts';
import { dispatchJobId, transcodeJobId } from '../../worker/jobs/catalogue.ts';
import { createJobProducer, type JobProducer } from '../../worker/jobs/producer.ts';
import { plannedRow } from '../integration/dispatch/world.ts';
import { createTestWorld, PASSWORD, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';
import { type PrivatePostgres, startPrivatePostgres } from './support/postgres.ts';
import { killAllStarted, leftInGroup, processes, startLoaProcess, until } from './support/processes.ts';

/** README: a stop takes a few seconds and never more than 10 s; the bound adds a loaded machine's slack. */
const STOP_BOUND_MS = 15_000;
let pg: PrivatePostgres;
let w: TestWorld;
let officer: SignedIn;
let jobs: JobProducer;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  w = await createTestWorld({}, pg.kind);
  officer = await signIn(w.app, 'officer');
  jobs = createJobProducer(openRedis(inject('redisUrl'), 'producer'), w.prefix);
});

afterAll(async () => {
  await killAllStarted();
  await jobs?.close();
  await w?.close();
  await pg?.destroy();
});

const env = () => ({
  DATABASE_URL: w.db.target.kind === 'postgres' ? w.db.target.url : '',
  REDIS_URL: inject('redisUrl'),
  REDIS_PREFIX: w.prefix,
  LOA_DATA_DIR: w.dataDir,
  LOA_SECRET: 'graceful-shutdown-secret-graceful-shutdown',
  LOA_SEED_DEMO: 'false',
  LOG_LEVEL: 'info',
});

async function newBulletin(title: string, trackSec: number) {
  const created = await officer
    .send('post', '/api/bulletins', {
      communeId: w.communeA.id,
      title,
      settings: { gapSec: 1, chime: false, repeat: 1 },
    })
    .expect(201);
  const track = join(w.mediaDir, `${created.body.id}.wav`);
  await generateSpeechLike(track, { durationSec: trackSec, pitchHz: 150, container: 'wav' });
  return { id: created.body.id as string, track };
}

/** A multipart body with one file, as a browser sends it. */
function multipart(file: Buffer, boundary: string): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="vie.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

describe('graceful shutdown (SIGTERM)', () => {
  it('API: a slow upload in flight finishes and is stored; new connections are refused; exit 0', async () => {
    const port = await freePort();
    const api = startLoaProcess('server/index.ts', { ...env(), PORT: String(port), HOST: '127.0.0.1' });
    await api.waitFor('API listening', 60_000);
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'officer', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');

    const bulletin = await newBulletin('Tải lên khi máy chủ dừng', 3);
    const boundary = 'loa-graceful-boundary';
    const body = multipart(await readFile(bulletin.track), boundary);
    const upload = httpRequest(`${base}/api/bulletins/${bulletin.id}/tracks/vie`, {
      method: 'PUT',
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(body.length),
      },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      upload.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      upload.on('error', reject);
    });
    // A phone on a weak link: half the body, then the stop, then the rest a second later.
    const half = Math.floor(body.length / 2);
    await new Promise<void>((resolve) => upload.write(body.subarray(0, half), () => resolve()));
    await new Promise((r) => setTimeout(r, 300));
    const stoppedAt = Date.now();
    process.kill(api.pgid, 'SIGTERM');
    await api.waitFor('shutting down', 5_000);
    // No new work is taken while the upload finishes.
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 1_000));
    upload.end(body.subarray(half));

    const res = await answered;
    expect(res.status, res.text).toBe(200);
    const exit = await api.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(STOP_BOUND_MS);
    await until('API group gone', () => leftInGroup(api.pgid).length === 0, 5_000);
    const tracks = await w.db.prisma.bulletinTrack.findMany({
      where: { bulletinId: bulletin.id },
      include: { media: true },
    });
    expect(tracks.map((t) => t.language)).toEqual(['vie']);
    expect(tracks[0]?.media.durationSec).toBeCloseTo(3, 0);
  }, 120_000);

  it('worker: the running airing finishes and lands once; the transcode is handed back; ffmpeg killed; exit 0', async () => {
    const worker = startLoaProcess('worker/index.ts', { ...env(), WORKER_QUEUES: 'dispatch,transcode' });
    await worker.waitFor('workers started', 60_000);

    // A transcode that lasts: a 20 s track.
    const bulletin = await newBulletin('Bản tin dở dang khi dừng máy', 20);
    await officer
      .send('put', `/api/bulletins/${bulletin.id}/tracks/vie`)
      .attach('file', bulletin.track)
      .expect(200);
    const { body } = await officer.send('post', `/api/bulletins/${bulletin.id}/transcode`).expect(202);
    const transcodeJob = transcodeJobId(bulletin.id, body.revision as number);

    // An airing of 4 s on the demo recorder cluster.
    const relative = 'renditions/graceful/1/programme.wav';
    const file = join(w.mediaDir, relative);
    await mkdir(join(file, '..'), { recursive: true });
    await generateSpeechLike(file, { durationSec: 4, sampleRate: 16000, channels: 1, container: 'wav' });
    const durationSec = (await probeMedia(file)).durationSec ?? 4;
    const rendition = { path: relative, durationSec, bytes: (await stat(file)).size };
    const at = new Date(Math.ceil((Date.now() + 2_500) / 1000) * 1000);
    const row = await w.db.prisma.broadcast.create({
      data: plannedRow({ communeId: w.communeA.id, rendition } as never, w.clusterA, at),
    });
    await jobs.enqueue('dispatch-instant', { at: at.toISOString() }, dispatchJobId(at));
    const broadcast = () => w.db.prisma.broadcast.findUniqueOrThrow({ where: { id: row.id } });
    await until('airing', async () => (await broadcast()).status === 'AIRING', 20_000);
    await until('ffmpeg transcoding', () =>
      processes().some((p) => p.pgrp === worker.pgid && p.comm === 'ffmpeg'),
    );

    const stoppedAt = Date.now();
    process.kill(worker.pgid, 'SIGTERM');
    const exit = await worker.exited;
    const tookMs = Date.now() - stoppedAt;
    expect(exit.code).toBe(0);
    expect(tookMs).toBeLessThan(STOP_BOUND_MS);
    await until('worker group gone', () => leftInGroup(worker.pgid).length === 0, 5_000);

    // The airing finished and landed once.
    const aired = await broadcast();
    expect(aired).toMatchObject({ status: 'AIRED', attempts: 1 });
    expect(aired.secondsAired).toBeCloseTo(durationSec, 0);
    expect(await w.db.prisma.broadcast.count({ where: { clusterId: w.clusterA } })).toBe(1);
    // The transcode was handed back: waiting for the next worker, no attempt spent, not failed.
    const job = await jobs.queue('transcode').getJob(transcodeJob);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.attemptsMade).toBe(0);
    const left = await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id: bulletin.id } });
    expect(left.status).toBe('PROCESSING');
    console.info(`worker SIGTERM: stopped in ${tookMs} ms with an airing and a transcode in hand`);
  }, 120_000);
});
