// An officer records a language track from the browser (MediaRecorder) and uses it: chromium's
// fake microphone plays a speech-like WAV, so the whole path — permission, recording, preview,
// upload, probe — runs as on a phone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { measureLoudness } from '../../media/loudness.ts';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, signIn, type TestWorld } from '../setup/test-app.ts';

const VIETNAMESE = 'Tiếng Việt (phổ thông)';
const RECORD_MS = 3000;

let dir: string;
let world: TestWorld;
let served: ServedBrowser | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-browser-recording-'));
  const voice = join(dir, 'giong-doc.wav');
  await generateSpeechLike(voice, { durationSec: 20, pitchHz: 170, sampleRate: 48000 });
  world = await createTestWorld({ webDist: resolve('web/dist') });
  served = await serveToBrowser(world.app, [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${voice}`,
  ]);
});

afterAll(async () => {
  await served?.close();
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('recording in the browser', () => {
  it('an officer records the Vietnamese track, hears it back and uses it', async () => {
    const { browser, baseUrl } = served as ServedBrowser;
    const officer = await signIn(world.app, 'officer');
    const { body: bulletin } = await officer
      .send('post', '/api/bulletins', { communeId: world.communeA.id, title: 'Tin ghi âm tại chỗ' })
      .expect(201);

    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/bulletins/${bulletin.id}/edit`);
    const signInForm = page.getByRole('form', { name: 'Đăng nhập' });
    await signInForm.getByLabel('Tên đăng nhập').fill('officer');
    await signInForm.getByLabel('Mật khẩu').fill(PASSWORD);
    await signInForm.getByRole('button', { name: 'Đăng nhập' }).click();

    const row = page.getByRole('listitem', { name: `Bản đọc ${VIETNAMESE}` });
    await row.getByRole('radio', { name: 'Ghi âm' }).check();
    await row.getByRole('button', { name: 'Bắt đầu ghi âm' }).click();
    await row.getByRole('timer', { name: 'Thời gian đã ghi' }).waitFor();
    await page.waitForTimeout(RECORD_MS);
    await row.getByRole('button', { name: 'Dừng ghi' }).click();
    // The recording can be heard before it is used.
    const preview = row.locator('.recording-preview audio');
    await preview.waitFor();
    // …and it plays: the page's Content-Security-Policy lets a blob: recording through.
    const played = await preview.evaluate(
      (audio: HTMLAudioElement) =>
        new Promise<{ currentTime: number } | { error: string }>((resolve) => {
          const failed = () => resolve({ error: `${audio.error?.code} ${audio.error?.message ?? ''}` });
          if (audio.error) return failed();
          audio.addEventListener('error', failed, { once: true });
          audio.addEventListener('timeupdate', function advanced() {
            if (audio.currentTime <= 0.2) return;
            audio.removeEventListener('timeupdate', advanced);
            audio.pause();
            resolve({ currentTime: audio.currentTime });
          });
          audio.play().catch((err: Error) => resolve({ error: `play(): ${err.name} ${err.message}` }));
        }),
    );
    expect(played).toMatchObject({ currentTime: expect.any(Number) });
    await row.getByRole('button', { name: 'Dùng bản ghi này' }).click();
    await row.getByTestId('track-vie').getByText('Ghi âm', { exact: false }).waitFor();

    const track = await world.db.prisma.bulletinTrack.findFirstOrThrow({
      where: { bulletinId: bulletin.id, language: 'vie' },
      include: { media: true },
    });
    expect(track.source).toBe('RECORDING');
    expect(track.originalName).toBe('ghi-am-vie.webm');
    expect(track.media).toMatchObject({ codec: 'opus', formatName: 'matroska,webm' });
    expect(track.media.durationSec).toBeGreaterThan(RECORD_MS / 1000 - 0.5);
    expect(track.media.durationSec).toBeLessThan(RECORD_MS / 1000 + 2);
    // What the microphone heard arrived: the voice, not silence.
    const heard = await measureLoudness({ path: world.deps.store.originalPath(track.media.sha256) });
    expect(heard.integratedLufs).toBeGreaterThan(-45);
    await context.close();
  }, 60_000);
});
