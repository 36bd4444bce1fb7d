// Issue 4, done-when: in the web app an officer creates a bulletin, uploads a Vietnamese and a
// Mông track (watching the upload complete), presses Process, follows the progress bar (fed by
// Server-Sent Events) to "ready", and plays the whole programme in the browser.
// Real server (PGlite, Redis), a real transcode worker with real ffmpeg, the real build of the
// web app, Debian's chromium. Event-driven waits only.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { MediaStore } from '../../media/store.ts';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { type RunningWorkers, startWorkers } from '../../worker/main.ts';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, type TestWorld } from '../setup/test-app.ts';

const TITLE = 'Phòng chống cháy rừng mùa khô — phiên chợ Dào San';
const VIETNAMESE = 'Tiếng Việt (phổ thông)';
const HMONG = 'Tiếng Mông';

let dataDir: string;
let world: TestWorld;
let workers: RunningWorkers;
let served: ServedBrowser | undefined;
let browser: Browser;
let baseUrl: string;
const files = { vie: '', hmn: '', notAudio: '' };

beforeAll(async () => {
  // The worker finds media under LOA_DATA_DIR/media: the API's store must be that same folder.
  dataDir = await mkdtemp(join(tmpdir(), 'loa-browser-bulletin-'));
  const config = loadConfig({ LOA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  world = await createTestWorld({ webDist: resolve('web/dist'), store: new MediaStore(config.mediaDir) });
  const workerConfig = loadConfig({ LOA_DATA_DIR: dataDir, REDIS_PREFIX: world.prefix, LOG_LEVEL: 'silent' });
  expect(workerConfig.mediaDir).toBe(world.deps.store.root);
  workers = await startWorkers(
    { config: workerConfig, logger: createLogger('silent'), db: world.db.prisma },
    openRedis(inject('redisUrl'), 'worker'),
    ['transcode'],
  );

  const fixtures = join(dataDir, 'fixtures');
  await mkdir(fixtures);
  files.vie = join(fixtures, 'bản tin tiếng Việt.mp3');
  files.hmn = join(fixtures, 'xov xwm lus Hmoob.mp3');
  files.notAudio = join(fixtures, 'ghi-chu.mp3');
  await Promise.all([
    generateSpeechLike(files.vie, { durationSec: 3, pitchHz: 170, container: 'mp3' }),
    generateSpeechLike(files.hmn, { durationSec: 3, pitchHz: 230, container: 'mp3' }),
    writeFile(files.notAudio, 'Đây là ghi chú, không phải âm thanh.\n'),
  ]);

  served = await serveToBrowser(world.app);
  ({ browser, baseUrl } = served);
});

afterAll(async () => {
  await served?.close();
  await workers?.close();
  await world?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Remembers, in the page, whether an element matching `selector` was ever shown (a short-lived bar). */
async function watchFor(page: Page, key: string, selector: string) {
  await page.evaluate(
    ({ key, selector }) => {
      const holder = window as unknown as { seen?: Record<string, number> };
      holder.seen = holder.seen ?? {};
      const seen = holder.seen;
      seen[key] = -1;
      const look = () => {
        const element = document.querySelector(selector) as HTMLProgressElement | null;
        if (element) seen[key] = Math.max(seen[key] ?? -1, element.value);
      };
      new MutationObserver(look).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
    },
    { key, selector },
  );
}

const seen = (page: Page, key: string) =>
  page.evaluate((k) => (window as unknown as { seen: Record<string, number> }).seen[k], key);

describe('bulletins in the browser', () => {
  it('an officer uploads two tracks, processes the bulletin and plays the programme', async () => {
    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    try {
      await flow(page);
    } catch (err) {
      // What the officer would have seen, for whoever reads the failure.
      await page.screenshot({ path: join(tmpdir(), 'loa-bulletin-flow-failure.png'), fullPage: true });
      throw err;
    } finally {
      await context.close();
    }
  }, 90_000);
});

async function flow(page: Page) {
  await page.goto(baseUrl);

  const signIn = page.getByRole('form', { name: 'Đăng nhập' });
  await signIn.getByLabel('Tên đăng nhập').fill('officer');
  await signIn.getByLabel('Mật khẩu').fill(PASSWORD);
  await signIn.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByTestId('who').getByText('Cán bộ văn hoá xã').waitFor();

  await page
    .getByRole('navigation', { name: 'Trình đơn chính' })
    .getByRole('link', { name: 'Bản tin' })
    .click();
  await page.getByRole('button', { name: 'Soạn bản tin mới' }).click();
  const form = page.getByRole('form', { name: 'Soạn bản tin mới' });
  await form.getByLabel('Tiêu đề').fill(TITLE);
  await form.getByLabel('Chuyên mục').fill('Vì chủ quyền an ninh biên giới');
  await form.getByLabel('Nghỉ giữa hai ngôn ngữ (giây)').fill('1');
  await form.getByRole('button', { name: 'Tạo bản tin' }).click();
  await page.getByRole('heading', { name: 'Bản đọc theo ngôn ngữ' }).waitFor();

  // Two uploads, each with its progress bar, each ending with the track shown.
  for (const [code, name, path] of [
    ['vie', VIETNAMESE, files.vie],
    ['hmn', HMONG, files.hmn],
  ] as const) {
    const row = page.getByRole('listitem', { name: `Bản đọc ${name}` });
    await watchFor(page, `upload-${code}`, `#track-${code}-progress`);
    await row.getByLabel(`Chọn tệp âm thanh ${name}`).setInputFiles(path);
    // The track line (source, stored name, duration, codec) comes from the server's answer.
    await row.getByTestId(`track-${code}`).getByText('0:03 · mp3', { exact: false }).waitFor();
    await row.getByText(`Đã tải lên ${path.split('/').pop()}.`).waitFor();
    expect(await seen(page, `upload-${code}`)).toBeGreaterThanOrEqual(0);
  }
  // A text file named .mp3 is refused, and the refusal is said next to that language's control.
  const hani = page.getByRole('listitem', { name: 'Bản đọc Tiếng Hà Nhì' });
  await hani.getByLabel('Chọn tệp âm thanh Tiếng Hà Nhì').setInputFiles(files.notAudio);
  await hani.getByRole('alert').getByText('Tệp này không phải âm thanh', { exact: false }).waitFor();
  expect(await hani.getByTestId('track-hni').count()).toBe(0);

  await page.getByRole('button', { name: 'Xong — xem và xử lý bản tin' }).click();
  await page.getByRole('heading', { name: TITLE }).waitFor();
  const status = page.getByTestId('bulletin-status');
  await status.getByText('Chờ xử lý').waitFor();
  expect(await page.getByText(`${VIETNAMESE} → ${HMONG}`).count()).toBe(1);

  // Process; the bar follows the event stream until the badge says ready.
  await watchFor(page, 'processing', '[data-testid="processing-progress"]');
  await page.getByRole('button', { name: 'Xử lý', exact: true }).click();
  await status.getByText('Sẵn sàng').waitFor({ timeout: 60_000 });
  expect(await seen(page, 'processing')).toBeGreaterThanOrEqual(0);

  // Loudness and the renditions are shown; the programme's running order names both languages.
  const programme = page.getByTestId('player-programme');
  await programme.waitFor();
  await page
    .getByText(/Độ to: −\d+,\d LUFS/)
    .first()
    .waitFor();
  const renditions = page.getByRole('table', { name: 'Các tệp đã tạo' });
  expect(await renditions.getByRole('link', { name: 'Tải về' }).count()).toBeGreaterThanOrEqual(5);
  const timeline = page.getByRole('table', { name: 'Trình tự phát' });
  await timeline.getByText(VIETNAMESE).waitFor();
  await timeline.getByText(HMONG).waitFor();
  // The author cannot approve their own bulletin: the page says so instead of offering a button.
  await page.getByText('Bạn là người soạn nên không tự duyệt được', { exact: false }).waitFor();
  expect(await page.getByRole('button', { name: 'Duyệt phát' }).count()).toBe(0);

  // Play the programme: the browser decodes it and time advances.
  const played = await programme.locator('audio').evaluate(async (audio: HTMLAudioElement) => {
    const playing = new Promise((done) => audio.addEventListener('playing', done, { once: true }));
    await audio.play();
    if (audio.paused || audio.readyState < 3) await playing;
    const readyState = audio.readyState;
    const start = audio.currentTime;
    await new Promise<void>((done) => {
      const check = () => {
        if (audio.currentTime > start + 0.3) {
          audio.removeEventListener('timeupdate', check);
          done();
        }
      };
      audio.addEventListener('timeupdate', check);
    });
    audio.pause();
    return {
      readyState,
      start,
      end: audio.currentTime,
      duration: audio.duration,
      error: audio.error?.code,
    };
  });
  expect(played.error).toBeUndefined();
  expect(played.readyState).toBeGreaterThanOrEqual(2);
  expect(played.end).toBeGreaterThan(played.start);
  // Chime + 3 s + gap + 3 s: the programme is longer than both tracks together.
  expect(played.duration).toBeGreaterThan(6);
}
