// The whole bulletin pipeline through the real parts: API → BullMQ → worker → ffmpeg →
// database, with live progress over SSE, approval by a second person, and retry after a failure.
import { rename } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { MediaStore } from '../../media/store.ts';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { serve } from '../../server/http/serve.ts';
import { type RunningWorkers, startWorkers } from '../../worker/main.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
let officer: SignedIn;
let workers: RunningWorkers;
let server: Server;
const workerConnection = openRedis(inject('redisUrl'), 'worker');

beforeAll(async () => {
  w = await createTestWorld();
  const config = loadConfig({ LOA_DATA_DIR: w.dataDir, REDIS_PREFIX: w.prefix });
  expect(config.mediaDir).toBe(w.mediaDir);
  workers = await startWorkers(
    { config, logger: createLogger('silent'), db: w.db.prisma },
    workerConnection,
    ['transcode'],
  );
  officer = await signIn(w.app, 'officer');
  server = await serve(w.app, 0, '127.0.0.1');
  await generateSpeechLike(join(w.mediaDir, 'vie.mp3'), { durationSec: 3, pitchHz: 140, container: 'mp3' });
  await generateSpeechLike(join(w.mediaDir, 'hmn.m4a'), { durationSec: 4, pitchHz: 210, container: 'm4a' });
});

afterAll(async () => {
  server?.close();
  await workers?.close();
  workerConnection.disconnect();
  await w?.close();
});

/** Reads the SSE stream until the bulletin settles; returns every event seen. */
async function watchUntilSettled(bulletinId: string, timeoutMs = 120_000) {
  const { port } = server.address() as AddressInfo;
  const cookie = officer.agent.jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .map((c: { name: string; value: string }) => `${c.name}=${c.value}`)
    .join('; ');
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(`http://127.0.0.1:${port}/api/bulletins/${bulletinId}/events`, {
    headers: { cookie },
    signal: controller.signal,
  });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: { event: string; data: { status?: string; progress?: number; failureReason?: string } }[] =
    [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        const last = events.at(-1);
        if (last?.event === 'status' && (last.data.status === 'READY' || last.data.status === 'FAILED')) {
          controller.abort();
          return events;
        }
        end = buffer.indexOf('\n\n');
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe('a bilingual bulletin from upload to approval', () => {
  let bulletinId: string;

  it('is processed into every device profile, Vietnamese then Hmong, at the target loudness', async () => {
    const created = await officer
      .send('post', '/api/bulletins', {
        communeId: w.communeA.id,
        title: 'Tuyên truyền phòng chống ma tuý',
        programme: 'Vì chủ quyền an ninh biên giới',
        settings: { gapSec: 1, chime: true, repeat: 1 },
      })
      .expect(201);
    bulletinId = created.body.id;
    await officer
      .send('put', `/api/bulletins/${bulletinId}/tracks/vie`)
      .attach('file', join(w.mediaDir, 'vie.mp3'))
      .expect(200);
    await officer
      .send('put', `/api/bulletins/${bulletinId}/tracks/hmn`)
      .attach('file', join(w.mediaDir, 'hmn.m4a'))
      .expect(200);
    const started = await officer.send('post', `/api/bulletins/${bulletinId}/transcode`).expect(202);
    expect(started.body.status).toBe('PROCESSING');

    const events = await watchUntilSettled(bulletinId);
    expect(events.at(-1)?.data).toMatchObject({ status: 'READY' });
    expect(events.some((e) => e.event === 'progress')).toBe(true);

    const { body } = await officer.send('get', `/api/bulletins/${bulletinId}`).expect(200);
    expect(body.status).toBe('READY');
    const programme = body.renditions.filter((r: { language: string | null }) => r.language === null);
    expect(programme.map((r: { profileId: string }) => r.profileId).sort()).toEqual(
      ['mp3-24k', 'opus-24k', 'pcmu-16k', 'pcmu-8k', 'wav-l16'].sort(),
    );
    for (const r of programme) {
      // chime (~1.2 s) + 3 s Vietnamese + 1 s gap + 4 s Hmong
      expect(r.durationSec).toBeGreaterThan(8.5);
      expect(r.durationSec).toBeLessThan(10.5);
      expect(r.channels).toBe(1);
      expect(r.peaks.length).toBeGreaterThan(100);
      // Every rendition under the ceiling, with the trim (if any) that got it there on record.
      expect(r.truePeakDbtp).toBeLessThanOrEqual(-1.5);
      expect(r.peakTrimDb).toBeLessThanOrEqual(0);
    }
    const mp3 = programme.find((r: { profileId: string }) => r.profileId === 'mp3-24k');
    expect(mp3).toMatchObject({ codec: 'mp3', sampleRate: 24000, mimeType: 'audio/mpeg' });
    expect(Math.abs(mp3.integratedLufs - -18)).toBeLessThanOrEqual(1);
    expect(mp3.truePeakDbtp).toBeLessThanOrEqual(-1);
    const order = (mp3.segments as { kind: string; language?: string }[])
      .filter((s) => s.kind === 'language')
      .map((s) => s.language);
    expect(order).toEqual(['vie', 'hmn']);
    // A rendition per language too, so reports can say how long each language aired.
    const perLanguage = body.renditions.filter((r: { language: string | null }) => r.language !== null);
    expect(new Set(perLanguage.map((r: { language: string }) => r.language))).toEqual(
      new Set(['vie', 'hmn']),
    );

    const audio = await officer.agent.get(mp3.url).set('Range', 'bytes=0-99').expect(206);
    expect(audio.headers['content-type']).toBe('audio/mpeg');
  }, 180_000);

  it('cannot be approved by its author, can be by another officer or scheduler, and loses approval when changed', async () => {
    const own = await officer.send('post', `/api/bulletins/${bulletinId}/approve`);
    expect([own.status, own.body.code]).toEqual([403, 'approval-needs-another-person']);
    const scheduler = await signIn(w.app, 'scheduler');
    const approved = await scheduler.send('post', `/api/bulletins/${bulletinId}/approve`).expect(200);
    expect(approved.body.approvedAt).not.toBeNull();
    const changed = await officer
      .send('patch', `/api/bulletins/${bulletinId}`, { settings: { repeat: 2 } })
      .expect(200);
    expect(changed.body).toMatchObject({ status: 'UPLOADED', approvedAt: null, renditions: [] });
    const notReady = await scheduler.send('post', `/api/bulletins/${bulletinId}/approve`);
    expect([notReady.status, notReady.body.code]).toEqual([409, 'not-approvable']);
    const trail = await w.db.prisma.auditEvent.findMany({
      where: { entityId: bulletinId },
      orderBy: { id: 'asc' },
    });
    expect(trail.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'bulletin.create',
        'bulletin.track-upload',
        'bulletin.transcode',
        'bulletin.approve',
        'bulletin.update',
      ]),
    );
  });

  it('fails with a reason when its audio is gone, and succeeds when retried after repair', async () => {
    const bulletin = await w.db.prisma.bulletin.findUniqueOrThrow({
      where: { id: bulletinId },
      include: { tracks: true },
    });
    const store = new MediaStore(w.mediaDir);
    const original = store.originalPath(bulletin.tracks[0]?.sourceSha256 as string);
    await rename(original, `${original}.away`);
    await officer.send('post', `/api/bulletins/${bulletinId}/transcode`).expect(202);
    const failed = await watchUntilSettled(bulletinId);
    expect(failed.at(-1)?.data.status).toBe('FAILED');
    expect(failed.at(-1)?.data.failureReason).toBeTruthy();

    await rename(`${original}.away`, original);
    await officer.send('post', `/api/bulletins/${bulletinId}/transcode`).expect(202);
    const retried = await watchUntilSettled(bulletinId);
    expect(retried.at(-1)?.data.status).toBe('READY');
    const { body } = await officer.send('get', `/api/bulletins/${bulletinId}`).expect(200);
    const mp3 = body.renditions.find(
      (r: { language: string | null; profileId: string }) => !r.language && r.profileId === 'mp3-24k',
    );
    // Repeated twice now (the change above): about twice as long plus the repeat gap.
    expect(mp3.durationSec).toBeGreaterThan(20);
  }, 240_000);
});
