// Text-to-speech has a time limit: espeak-ng (a real child) is killed when it runs past it, and the
// track request answers 503 tts-timed-out without writing anything.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espeakNg, TtsTimeoutError } from '../../media/tts.ts';
import { bulletinRoutes } from '../../server/modules/bulletins/routes.ts';
import { bulletinService } from '../../server/modules/bulletins/service.ts';
import { createTestWorld, type TestWorld } from '../setup/test-app.ts';

/** About six minutes of speech: espeak-ng needs far longer than the limits below to say it. */
const LONG_TEXT = 'Bà con chú ý, phiên chợ sáng mai họp sớm hơn thường lệ. '.repeat(85).slice(0, 5000);

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-tts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('espeak-ng', () => {
  it('speaks a sentence within the default limit', async () => {
    const out = join(dir, 'hello.wav');
    await espeakNg.synthesize('Xin chào bà con.', 'vie', out);
    expect((await readFile(out)).subarray(0, 4).toString()).toBe('RIFF');
  });

  it('is killed at its time limit, and the promise settles only once it is gone', async () => {
    let pid = 0;
    const error = await espeakNg
      .synthesize(LONG_TEXT, 'vie', join(dir, 'long.wav'), {
        timeLimitMs: 100,
        onSpawn: (p) => {
          pid = p;
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TtsTimeoutError);
    expect((error as Error).message).toBe('espeak-ng took longer than 0.1 s and was stopped');
    expect(pid).toBeGreaterThan(0);
    expect(processIsGone(pid)).toBe(true);
  });
});

describe('POST /api/bulletins/:id/tracks/:language/tts over the limit', () => {
  let w: TestWorld;
  beforeAll(async () => {
    w = await createTestWorld();
  });
  afterAll(async () => {
    await w?.close();
  });

  it('answers 503 tts-timed-out and leaves the bulletin as it was', async () => {
    const officer = await w.db.prisma.user.findUniqueOrThrow({ where: { username: 'officer' } });
    const bulletin = await w.db.prisma.bulletin.create({
      data: { communeId: w.communeA.id, title: 'Phiên chợ', authorId: officer.id },
    });
    const db = w.db.prisma;
    const { store, jobs, feed } = w.deps;
    // The routes as the app builds them, with a limit espeak-ng cannot meet for this text.
    const routes = bulletinRoutes({
      db,
      store,
      feed,
      maxUploadBytes: 1e6,
      ttsTimeLimitMs: 100,
      service: bulletinService({ db, store, jobs, maxAudioSec: 3600 }),
    });
    const tts = routes.find((r) => r.method === 'post' && r.path.endsWith('/tts'));
    const actor = {
      userId: officer.id,
      username: officer.username,
      displayName: officer.displayName,
      via: 'session' as const,
      assignments: [{ role: 'OFFICER' as const, province: null, communeId: w.communeA.id }],
    };
    const answer = await Promise.resolve(
      tts?.handler(
        {
          params: { bulletinId: bulletin.id, language: 'vie' },
          query: {},
          body: { text: LONG_TEXT, engine: 'espeak-ng' },
        },
        {
          req: {} as Request,
          res: {} as Response,
          actor,
          origin: { ip: '127.0.0.1', userAgent: 'test' },
        },
      ),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(answer).toMatchObject({
      status: 503,
      code: 'tts-timed-out',
      message: 'espeak-ng took longer than 0.1 s and was stopped',
    });
    const after = await w.db.prisma.bulletin.findUniqueOrThrow({
      where: { id: bulletin.id },
      include: { tracks: true },
    });
    expect([after.status, after.revision, after.tracks]).toEqual(['DRAFT', 0, []]);
  });
});
