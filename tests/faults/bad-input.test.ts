// Fault: bad input of every kind against one running system (the real app on PostgreSQL or
// PGlite, Redis, ffmpeg), one after another: damaged and fake audio, API bodies of the wrong
// type, too big or not JSON, broken calendar rules, driver configs with bad URLs, schemes and
// ports. Each is refused with a 4xx problem+json; afterwards nothing was written (rows, audit
// trail, stored originals) and the same system still serves normal reads and writes.
// The exact status and code of each refusal are the per-feature suites' business
// (tests/e2e/bulletin-upload.test.ts, calendars.test.ts, accounts.test.ts …); here they run together.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
let officer: SignedIn;
let scheduler: SignedIn;
let admin: SignedIn;
let bulletinId: string;

beforeAll(async () => {
  w = await createTestWorld();
  [officer, scheduler, admin] = await Promise.all([
    signIn(w.app, 'officer'),
    signIn(w.app, 'scheduler'),
    signIn(w.app, 'admin'),
  ]);
  const created = await officer
    .send('post', '/api/bulletins', { communeId: w.communeA.id, title: 'Bản tin thử đầu vào xấu' })
    .expect(201);
  bulletinId = created.body.id;
  const good = join(w.mediaDir, 'good.mp3');
  await generateSpeechLike(good, { durationSec: 2, pitchHz: 150, container: 'mp3' });
  const bytes = await readFile(good);
  await writeFile(join(w.mediaDir, 'truncated.mp3'), bytes.subarray(0, Math.floor(bytes.length / 3)));
  await writeFile(join(w.mediaDir, 'garbage.mp3'), Buffer.alloc(40_000, 'loa-không-phải-âm-thanh '));
  await writeFile(join(w.mediaDir, 'header-only.wav'), Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'));
});

afterAll(() => w?.close());

/** Everything a refused request could have written. */
async function snapshot() {
  const p = w.db.prisma;
  const originals = await readdir(join(w.mediaDir, 'originals')).catch(() => []);
  return {
    bulletins: await p.bulletin.findMany({ orderBy: { id: 'asc' } }),
    tracks: await p.bulletinTrack.count(),
    media: await p.mediaFile.count(),
    calendars: await p.marketCalendar.findMany({ orderBy: { id: 'asc' } }),
    slots: await p.slot.count(),
    clusters: await p.cluster.findMany({ orderBy: { id: 'asc' } }),
    audit: await p.auditEvent.count(),
    originals: originals.sort(),
  };
}

const cluster = () => `/api/clusters/${w.clusterA}`;
const upload = (file: string) =>
  officer.send('put', `/api/bulletins/${bulletinId}/tracks/vie`).attach('file', join(w.mediaDir, file));
const calendar = (rules: unknown) =>
  scheduler.send('post', '/api/market-calendars', { communeId: w.communeA.id, name: 'Chợ hỏng', rules });
const pushTo = (url: string) =>
  admin.send('patch', cluster(), { driverKind: 'HTTP_PUSH', driverConfig: { url } });

const BAD: [string, () => PromiseLike<{ status: number; headers: Record<string, string>; body: unknown }>][] =
  [
    ['a truncated MP3', () => upload('truncated.mp3')],
    ['garbage named .mp3', () => upload('garbage.mp3')],
    ['a WAV header with no audio', () => upload('header-only.wav')],
    [
      'invalid JSON',
      () =>
        officer
          .send('post', '/api/bulletins')
          .set('content-type', 'application/json')
          .send('{"communeId": "x", "title": '),
    ],
    ['a wrong type', () => officer.send('post', '/api/bulletins', { communeId: w.communeA.id, title: 42 })],
    [
      'a huge body',
      () =>
        officer.send('post', '/api/bulletins', { communeId: w.communeA.id, title: 'x'.repeat(3_000_000) }),
    ],
    ['an array for an object', () => officer.send('post', '/api/bulletins', [1, 2, 3])],
    ['an unknown rule kind', () => calendar([{ kind: 'every-full-moon' }])],
    ['a lunar day 31', () => calendar([{ kind: 'lunar-days', days: [31] }])],
    ['an hourly RRULE', () => calendar([{ kind: 'rrule', rrule: 'FREQ=HOURLY' }])],
    ['no rules at all', () => calendar([])],
    ['a device URL with a file: scheme', () => pushTo('file:///etc/passwd')],
    ['a device URL with a javascript: scheme', () => pushTo('javascript:alert(1)')],
    ['a device URL on port 99999', () => pushTo('http://10.0.0.9:99999/axis-cgi/audio/transmit.cgi')],
    ['a device URL that is not a URL', () => pushTo('không phải địa chỉ')],
    [
      'an RTP port out of range',
      () =>
        admin.send('patch', cluster(), {
          driverKind: 'RTP',
          driverConfig: { host: '10.0.0.9', port: 70000 },
        }),
    ],
    [
      'a driver config of the wrong shape',
      () => admin.send('patch', cluster(), { driverKind: 'RTP', driverConfig: 'rtp://10.0.0.9:5004' }),
    ],
  ];

describe('bad input against a running system', () => {
  it('refuses every case with 4xx problem+json, writes nothing, and serves normal requests after', async () => {
    const before = await snapshot();
    const answers: string[] = [];
    for (const [name, send] of BAD) {
      const res = await send();
      answers.push(`${name} → ${res.status} ${(res.body as { code?: string }).code}`);
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      expect(res.headers['content-type'], name).toMatch(/^application\/problem\+json/);
      expect((res.body as { code?: string }).code, name).toBeTruthy();
    }
    console.info(answers.join('\n'));
    expect(await snapshot()).toEqual(before);

    // Still serving: reads, and the writes the bad ones imitated.
    expect((await request(w.app).get('/healthz')).status).toBe(200);
    expect((await scheduler.send('get', `/api/market-calendars?communeId=${w.communeA.id}`)).status).toBe(
      200,
    );
    await upload('good.mp3').expect(200);
    await calendar([{ kind: 'lunar-days', days: [1, 15] }]).expect(201);
    const ok = await pushTo('http://10.0.0.9/axis-cgi/audio/transmit.cgi');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const after = await snapshot();
    expect(after.tracks).toBe(before.tracks + 1);
    expect(after.calendars).toHaveLength(before.calendars.length + 1);
  }, 60_000);
});
