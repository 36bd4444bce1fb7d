// A problem's detail and its field messages follow Accept-Language as its title does: an officer
// reading Vietnamese is told in Vietnamese why the audio was refused and which field is wrong.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

const VI = 'vi-VN,vi;q=0.9';
const EN = 'en-US,en;q=0.9';

let dir: string;
let world: TestWorld;
let officer: SignedIn;
let bulletinId: string;
let long: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-problem-language-'));
  long = join(dir, 'dai-qua.mp3');
  await generateSpeechLike(long, { durationSec: 6, container: 'mp3' });
  world = await createTestWorld({ limits: { maxUploadBytes: 20e6, maxAudioSec: 2 } });
  officer = await signIn(world.app, 'officer');
  bulletinId = (
    await officer.send('post', '/api/bulletins', {
      communeId: world.communeA.id,
      title: 'Tin nói hai thứ tiếng',
    })
  ).body.id;
});
afterAll(async () => {
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('problem details in the caller’s language', () => {
  it('audio longer than the limit', async () => {
    const say = async (lang: string) => {
      const res = await officer.agent
        .put(`/api/bulletins/${bulletinId}/tracks/vie`)
        .set('x-csrf-token', officer.csrf)
        .set('accept-language', lang)
        .attach('file', long);
      expect([res.status, res.body.code]).toEqual([422, 'audio-too-long']);
      return res.body as { title: string; detail: string };
    };
    const vi = await say(VI);
    expect(vi.title).toBe('Âm thanh dài quá giới hạn');
    expect(vi.detail).toMatch(/^Âm thanh dài (\d+ giây, giới hạn là|hơn giới hạn) 2 giây$/);
    const en = await say(EN);
    expect(en.detail).toMatch(/^audio is (\d+ s, the limit is|longer than the limit of) 2 s$/);
  });

  it('field errors: zod’s own messages and Loa’s schemas’ words', async () => {
    const body = { communeId: world.communeA.id, title: '', priority: 'SOON', colour: 'đỏ' };
    const vi = await officer.send('post', '/api/bulletins', body).set('accept-language', VI);
    expect([vi.status, vi.body.code]).toEqual([400, 'invalid-request']);
    const viErrors = Object.fromEntries(
      vi.body.errors.map((e: { field: string; message: string }) => [e.field, e.message]),
    );
    expect(viErrors).toEqual({
      'body.title': 'không được để trống',
      'body.priority': expect.stringMatching(/^Tùy chọn không hợp lệ/),
      'body.colour': expect.stringMatching(/^Khóa không được nhận dạng/),
    });
    expect(vi.body.detail).toContain('body.title: không được để trống');
    expect(vi.body.detail).not.toMatch(/must not|Invalid|Unrecognized/);

    const en = await officer.send('post', '/api/bulletins', body).set('accept-language', EN);
    const enErrors = Object.fromEntries(
      en.body.errors.map((e: { field: string; message: string }) => [e.field, e.message]),
    );
    expect(enErrors).toEqual({
      'body.title': 'must not be empty',
      'body.priority': expect.stringMatching(/^Invalid option/),
      'body.colour': expect.stringMatching(/^Unrecognized key/),
    });
    expect(en.body.detail).toContain('body.title: must not be empty');
  });

  it('two requests in two languages at the same time each get their own', async () => {
    const bad = { communeId: world.communeA.id, title: 'x'.repeat(201) };
    const [vi, en] = await Promise.all([
      officer.send('post', '/api/bulletins', bad).set('accept-language', VI),
      officer.send('post', '/api/bulletins', bad).set('accept-language', EN),
    ]);
    expect(vi.body.errors[0].message).toMatch(/ký tự/);
    expect(en.body.errors[0].message).toMatch(/characters/);
  });

  it('a language not in the list, a missing record and an unknown path', async () => {
    const unknown = await officer
      .send('post', `/api/bulletins/${bulletinId}/tracks/xyz/tts`, { text: 'Xin chào' })
      .set('accept-language', VI);
    expect(unknown.body.code).toBe('unknown-language');
    expect(unknown.body.detail).toBe('params.language: "xyz" không có trong danh sách ngôn ngữ');
    expect(unknown.body.errors).toEqual([
      { field: 'params.language', message: '"xyz" không có trong danh sách ngôn ngữ' },
    ]);

    const missing = await officer
      .send('get', `/api/bulletins/${bulletinId}/renditions/00000000-0000-4000-8000-000000000000/audio`)
      .set('accept-language', VI);
    expect([missing.status, missing.body.detail]).toEqual([404, 'Không tìm thấy bản âm thanh']);

    const nowhere = await officer.send('get', '/api/nowhere').set('accept-language', VI);
    expect(nowhere.body.detail).toBe('Không có trang hay địa chỉ API nào cho GET /api/nowhere');
    const nowhereEn = await officer.send('get', '/api/nowhere').set('accept-language', EN);
    expect(nowhereEn.body.detail).toBe('GET /api/nowhere is not an API route');
  });
});
