// A child process stopped by a signal from outside (the terminal's Ctrl-C reaches the whole process
// group) is a clear, retryable problem: 503 `interrupted` with a title in both languages, never a
// 500 or a 415, and nothing of the half-made track is kept.

import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { espeakNg } from '../../media/tts.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

/** Minutes of speech: espeak-ng is still speaking when the signal reaches it. */
const LONG_TEXT = 'Bà con chú ý, phiên chợ sáng mai họp sớm hơn thường lệ. '.repeat(85).slice(0, 5000);

let w: TestWorld;
let officer: SignedIn;
let fakes: string;
const realFfmpeg = execFileSync('sh', ['-c', 'command -v ffmpeg']).toString().trim();

// ffmpeg goes through a wrapper from the start (fluent-ffmpeg keeps the first path it finds): it
// tells its pid through a FIFO when the test made one, then becomes the real ffmpeg.
const fifo = () => join(fakes, 'ffmpeg-pid');
beforeAll(async () => {
  fakes = await mkdtemp(join(tmpdir(), 'loa-fakes-'));
  await writeFile(
    join(fakes, 'ffmpeg'),
    `#!/bin/sh\nif [ -p "${fifo()}" ]; then echo $$ > "${fifo()}"; fi\nexec "${realFfmpeg}" "$@"\n`,
  );
  // An ffprobe that a signal stops as soon as it starts.
  await writeFile(join(fakes, 'ffprobe-killed'), '#!/bin/sh\nkill -TERM $$\n');
  await chmod(join(fakes, 'ffmpeg'), 0o755);
  await chmod(join(fakes, 'ffprobe-killed'), 0o755);
  process.env.FFMPEG_PATH = join(fakes, 'ffmpeg');
  w = await createTestWorld();
  officer = await signIn(w.app, 'officer');
});
afterAll(async () => {
  vi.restoreAllMocks();
  await w?.close();
  await rm(fakes, { recursive: true, force: true });
});

async function newBulletin(): Promise<string> {
  const res = await officer
    .send('post', '/api/bulletins', { communeId: w.communeA.id, title: 'Phiên chợ' })
    .expect(201);
  return res.body.id;
}

async function state(bulletinId: string) {
  const prisma = w.db.prisma;
  const bulletin = await prisma.bulletin.findUniqueOrThrow({
    where: { id: bulletinId },
    include: { tracks: true },
  });
  const originals = await readdir(join(w.mediaDir, 'originals')).catch(() => []);
  return {
    status: bulletin.status,
    revision: bulletin.revision,
    tracks: bulletin.tracks.length,
    mediaFiles: await prisma.mediaFile.count(),
    originals: originals.length,
  };
}

/** espeak-ng as the route runs it, with its child signalled as soon as it exists. */
function interruptEspeak(signal: NodeJS.Signals) {
  const synthesize = espeakNg.synthesize.bind(espeakNg);
  return vi.spyOn(espeakNg, 'synthesize').mockImplementation((text, language, out, options) =>
    synthesize(text, language, out, {
      ...options,
      onSpawn: (pid) => {
        process.kill(pid, signal);
      },
    }),
  );
}

describe('text-to-speech interrupted by a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`answers 503 interrupted when espeak-ng gets ${signal}, and the bulletin is unchanged`, async () => {
      const bulletinId = await newBulletin();
      const before = await state(bulletinId);
      const spy = interruptEspeak(signal);
      try {
        const res = await officer
          .send('post', `/api/bulletins/${bulletinId}/tracks/vie/tts`, { text: LONG_TEXT })
          .set('Accept-Language', 'en');
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({
          code: 'interrupted',
          title: 'Audio processing was interrupted (is the system stopping?); try again',
        });
        expect(res.body.detail).toContain(`espeak-ng was interrupted (${signal})`);
      } finally {
        spy.mockRestore();
      }
      expect(await state(bulletinId)).toEqual(before);
      // Asked again, it works.
      const again = await officer
        .send('post', `/api/bulletins/${bulletinId}/tracks/vie/tts`, { text: 'Xin chào bà con.' })
        .expect(200);
      expect(again.body.tracks.map((t: { language: string }) => t.language)).toEqual(['vie']);
    });
  }

  it('has a Vietnamese title', async () => {
    const bulletinId = await newBulletin();
    const spy = interruptEspeak('SIGINT');
    try {
      const res = await officer.send('post', `/api/bulletins/${bulletinId}/tracks/vie/tts`, {
        text: LONG_TEXT,
      });
      expect(res.status).toBe(503);
      expect(res.body.title).toBe(
        'Việc xử lý âm thanh bị ngắt giữa chừng (hệ thống đang dừng?), hãy thử lại',
      );
    } finally {
      spy.mockRestore();
    }
  });
});

describe('an upload whose ffprobe or ffmpeg is interrupted', () => {
  let good: string;
  beforeAll(async () => {
    good = join(fakes, 'good.mp3');
    await generateSpeechLike(good, { durationSec: 3, container: 'mp3' });
  });

  it('answers 503 interrupted (not 415 not-audio) when ffprobe is killed by a signal', async () => {
    const bulletinId = await newBulletin();
    const before = await state(bulletinId);
    process.env.FFPROBE_PATH = join(fakes, 'ffprobe-killed');
    try {
      const res = await officer.agent
        .put(`/api/bulletins/${bulletinId}/tracks/vie`)
        .set('x-csrf-token', officer.csrf)
        .set('Accept-Language', 'en')
        .attach('file', good);
      expect([res.status, res.body.code]).toEqual([503, 'interrupted']);
      expect(res.body.detail).toContain('ffprobe-killed was interrupted (SIGTERM)');
    } finally {
      delete process.env.FFPROBE_PATH;
    }
    expect(await state(bulletinId)).toEqual(before);
  });

  it('answers 503 interrupted (not 422 audio-damaged) when the decoding ffmpeg gets SIGINT', async () => {
    const bulletinId = await newBulletin();
    const before = await state(bulletinId);
    execFileSync('mkfifo', [fifo()]);
    try {
      // Opening the FIFO for reading waits for the wrapper to write its pid: no polling.
      const pid = new Promise<number>((resolve, reject) => {
        let text = '';
        createReadStream(fifo())
          .on('data', (chunk) => {
            text += chunk;
          })
          .on('end', () => resolve(Number(text.trim())))
          .on('error', reject);
      }).then((p) => {
        process.kill(p, 'SIGINT');
        return p;
      });
      const res = await officer.agent
        .put(`/api/bulletins/${bulletinId}/tracks/vie`)
        .set('x-csrf-token', officer.csrf)
        .attach('file', good);
      expect(await pid).toBeGreaterThan(0);
      expect([res.status, res.body.code]).toEqual([503, 'interrupted']);
    } finally {
      await rm(fifo(), { force: true });
    }
    expect(await state(bulletinId)).toEqual(before);
    // The same file afterwards is accepted.
    await officer.agent
      .put(`/api/bulletins/${bulletinId}/tracks/vie`)
      .set('x-csrf-token', officer.csrf)
      .attach('file', good)
      .expect(200);
  });
});
