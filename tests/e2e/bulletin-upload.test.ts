// Bad input gets a clear 4xx and leaves nothing behind: each case asserts the status, the
// problem code, and that storage and database are exactly as before. Good input still works
// afterwards, with Vietnamese file names, and the same content is stored once.
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePng, generateSilentVideo, generateSpeechLike, writeTextFile } from '../../media/fixtures.ts';
import { serve } from '../../server/http/serve.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

const MAX_UPLOAD_BYTES = 400_000;
const MAX_AUDIO_SEC = 8;

let w: TestWorld;
let officer: SignedIn;
let bulletinId: string;
let server: Server;
const files: Record<string, string> = {};

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((p) => !p.startsWith(join(w.mediaDir, 'fixtures')))
    .sort();
}

async function snapshot() {
  const prisma = w.db.prisma;
  const bulletin = await prisma.bulletin.findUniqueOrThrow({ where: { id: bulletinId } });
  return {
    files: await filesUnder(w.mediaDir),
    mediaFiles: await prisma.mediaFile.count(),
    tracks: await prisma.bulletinTrack.count(),
    bulletin: { status: bulletin.status, revision: bulletin.revision },
  };
}

beforeAll(async () => {
  w = await createTestWorld({ limits: { maxUploadBytes: MAX_UPLOAD_BYTES, maxAudioSec: MAX_AUDIO_SEC } });
  officer = await signIn(w.app, 'officer');
  const created = await officer
    .send('post', '/api/bulletins', { communeId: w.communeA.id, title: 'Phòng chống lừa đảo qua mạng' })
    .expect(201);
  bulletinId = created.body.id;
  const dir = join(w.mediaDir, 'fixtures');
  const at = (name: string) => join(dir, name);
  await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
  await generateSpeechLike(at('good.mp3'), { durationSec: 3, container: 'mp3' });
  await generateSpeechLike(at('long.mp3'), { durationSec: MAX_AUDIO_SEC + 4, container: 'mp3' });
  await generateSpeechLike(at('big.wav'), { durationSec: 6, container: 'wav' }); // ~576 kB > cap
  await generateSpeechLike(at('truncated.mp3'), { durationSec: 5, container: 'mp3' });
  await truncate(at('truncated.mp3'), Math.floor((await stat(at('truncated.mp3'))).size / 3));
  await writeFile(at('empty.mp3'), '');
  await writeTextFile(at('text.mp3'));
  await generatePng(at('image.mp3'));
  await generateSilentVideo(at('video.mp4'));
  for (const name of [
    'good.mp3',
    'long.mp3',
    'big.wav',
    'truncated.mp3',
    'empty.mp3',
    'text.mp3',
    'image.mp3',
    'video.mp4',
  ]) {
    files[name] = at(name);
  }
  server = await serve(w.app, 0, '127.0.0.1');
});

afterAll(async () => {
  server?.close();
  await w?.close();
});

const upload = (language: string, file: string, fileName?: string) =>
  officer
    .send('put', `/api/bulletins/${bulletinId}/tracks/${language}`)
    .attach('file', files[file] as string, fileName ? { filename: fileName } : undefined);

const BOUNDARY = 'loa-test-boundary';

/** A multipart body built by hand, so the file name is exactly what a hostile client sends. */
async function multipart(file: string, fileName: string): Promise<Buffer> {
  const head =
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
    'Content-Type: audio/mpeg\r\n\r\n';
  return Buffer.concat([Buffer.from(head), await readFile(file), Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
}

const rawUpload = async (language: string, file: string, fileName: string) =>
  officer
    .send('put', `/api/bulletins/${bulletinId}/tracks/${language}`)
    .set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`)
    .send(await multipart(files[file] as string, fileName));

/**
 * Declares a longer body than it sends, then stops: the server sees the upload end early.
 * Resolves with whatever the server answered, if anything, once the connection is closed.
 */
async function uploadThatStopsShort(): Promise<string> {
  const body = await multipart(files['good.mp3'] as string, 'x.mp3');
  const cookie = (
    officer.agent.jar.getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false }) ?? []
  )
    .map((c: { name: string; value: string }) => `${c.name}=${c.value}`)
    .join('; ');
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `PUT /api/bulletins/${bulletinId}/tracks/vie HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n` +
          `x-csrf-token: ${officer.csrf}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
          `Content-Length: ${body.length + 50_000}\r\n\r\n`,
      );
      socket.end(body);
    });
    let raw = '';
    socket.on('data', (d) => {
      raw += d;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(raw));
  });
}

describe('bad uploads leave nothing behind', () => {
  const cases: [string, number, string, () => Promise<{ status: number; body: { code?: string } }>][] = [
    ['an empty file', 400, 'empty-file', () => upload('vie', 'empty.mp3')],
    ['a truncated MP3', 422, 'audio-damaged', () => upload('vie', 'truncated.mp3')],
    ['a text file renamed .mp3', 415, 'not-audio', () => upload('vie', 'text.mp3')],
    ['a PNG renamed .mp3', 415, 'not-audio', () => upload('vie', 'image.mp3')],
    ['a video with no audio stream', 422, 'no-audio-stream', () => upload('vie', 'video.mp4')],
    ['a file over the size cap', 413, 'file-too-large', () => upload('vie', 'big.wav')],
    ['audio longer than the limit', 422, 'audio-too-long', () => upload('vie', 'long.mp3')],
    ['a language code not in the list', 400, 'unknown-language', () => upload('xyz', 'good.mp3')],
    [
      'a path-traversal file name',
      400,
      'bad-file-name',
      () => rawUpload('vie', 'good.mp3', '../../etc/loa.mp3'),
    ],
    [
      'a Windows path as file name',
      400,
      'bad-file-name',
      () => rawUpload('vie', 'good.mp3', '..\\..\\loa.mp3'),
    ],
    [
      'no file at all',
      400,
      'no-file',
      () => officer.send('put', `/api/bulletins/${bulletinId}/tracks/vie`).field('note', 'x'),
    ],
    [
      'JSON instead of a file',
      415,
      'not-multipart',
      () => officer.send('put', `/api/bulletins/${bulletinId}/tracks/vie`, { file: 'x' }),
    ],
  ];

  it.each(cases)('%s → %i %s', async (_name, status, code, send) => {
    const before = await snapshot();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    // Answered in Vietnamese by default, with the code's own title.
    expect((res.body as { title?: string }).title).not.toBe(code);
    expect(await snapshot()).toEqual(before);
  });
});

describe('an upload whose declared length lies', () => {
  it('is dropped without a trace, and the server goes on serving', async () => {
    const before = await snapshot();
    const answer = await uploadThatStopsShort();
    // The client closed its side: an answer may or may not reach it, but if it does, it says why.
    if (answer)
      expect(answer).toMatch(/application\/problem\+json[\s\S]*"code":"malformed-(upload|request)"/);
    // Cleanup finishes after the connection closes: wait for it, bounded.
    for (let i = 0; i < 100 && JSON.stringify(await snapshot()) !== JSON.stringify(before); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await snapshot()).toEqual(before);
    await officer.send('get', `/api/bulletins/${bulletinId}`).expect(200);
  });
});

describe('good uploads', () => {
  it('keep the original content-addressed, once, with its Vietnamese name', async () => {
    const res = await upload('vie', 'good.mp3', 'bản tin tiếng Việt.mp3').expect(200);
    expect(res.body.status).toBe('UPLOADED');
    expect(res.body.tracks).toEqual([
      expect.objectContaining({ language: 'vie', originalName: 'bản tin tiếng Việt.mp3', codec: 'mp3' }),
    ]);
    expect(res.body.tracks[0].durationSec).toBeCloseTo(3, 0);
    const again = await upload('hmn', 'good.mp3', 'tiếng Mông.mp3').expect(200);
    expect(again.body.tracks.map((t: { language: string }) => t.language)).toEqual(['vie', 'hmn']);
    expect(await w.db.prisma.mediaFile.count()).toBe(1);
    const originals = (await filesUnder(w.mediaDir)).filter((p) => p.includes('/originals/'));
    expect(originals).toHaveLength(1);
    expect(originals[0]?.endsWith(res.body.tracks[0].sha256)).toBe(true);
    expect(await filesUnder(join(w.mediaDir, 'tmp'))).toEqual([]);
  });

  it('can be reordered, which asks for processing again', async () => {
    const res = await officer
      .send('patch', `/api/bulletins/${bulletinId}`, { order: ['hmn', 'vie'] })
      .expect(200);
    expect(res.body.tracks.map((t: { language: string }) => t.language)).toEqual(['hmn', 'vie']);
    const bad = await officer.send('patch', `/api/bulletins/${bulletinId}`, { order: ['vie'] });
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'body.order']);
  });

  it('make an emergency bulletin only for a scheduler, with its reason in the audit trail', async () => {
    const res = await officer.send('post', '/api/bulletins', {
      communeId: w.communeA.id,
      title: 'Lũ quét',
      priority: 'EMERGENCY',
      reason: 'Mưa lớn',
    });
    expect([res.status, res.body.code]).toEqual([403, 'emergency-needs-scheduler']);
    const scheduler = await signIn(w.app, 'scheduler');
    const noReason = await scheduler.send('post', '/api/bulletins', {
      communeId: w.communeA.id,
      title: 'Lũ quét',
      priority: 'EMERGENCY',
    });
    expect([noReason.status, noReason.body.errors?.[0]?.field]).toEqual([400, 'body.reason']);
    const made = await scheduler
      .send('post', '/api/bulletins', {
        communeId: w.communeA.id,
        title: 'Lũ quét',
        priority: 'EMERGENCY',
        reason: 'Mưa lớn, nguy cơ lũ quét ở suối Nậm Na',
      })
      .expect(201);
    const [event] = await w.db.prisma.auditEvent.findMany({ where: { entityId: made.body.id } });
    expect(event).toMatchObject({
      action: 'bulletin.create',
      actorName: 'scheduler',
      reason: 'Mưa lớn, nguy cơ lũ quét ở suối Nậm Na',
    });
  });
});
