// A scheduler's home page: the live board shows the demo commune's clusters; "Phát thử" airs a
// test tone through the real dispatch worker and recorder; the day's list shows it aired, and the
// scheduler plays what the recorder captured. The board reads on a 390 px phone too.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { type RunningWorkers, startWorkers } from '../../worker/main.ts';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, type TestWorld } from '../setup/test-app.ts';

let world: TestWorld;
let served: ServedBrowser | undefined;
let workers: RunningWorkers | undefined;
const workerConnection = openRedis(inject('redisUrl'), 'worker');

beforeAll(async () => {
  world = await createTestWorld({ webDist: resolve('web/dist') });
  const config = loadConfig({ LOA_DATA_DIR: world.dataDir, REDIS_PREFIX: world.prefix, LOG_LEVEL: 'silent' });
  workers = await startWorkers(
    { config, logger: createLogger('silent'), db: world.db.prisma },
    workerConnection,
    ['dispatch'],
  );
  served = await serveToBrowser(world.app);
});

afterAll(async () => {
  await served?.close();
  await workers?.close();
  workerConnection.disconnect();
  await world?.close();
});

describe('the broadcast board', () => {
  it('a scheduler airs a test tone, sees it aired on the board and plays the recording', async () => {
    const { browser, baseUrl } = served as ServedBrowser;
    const cluster = await world.db.prisma.cluster.findUniqueOrThrow({ where: { id: world.clusterA } });
    const context = await browser.newContext({ locale: 'vi-VN' });
    // A shared, busy machine: the first page of a fresh browser may take a while.
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    await page.goto(baseUrl);
    const signInForm = page.getByRole('form', { name: 'Đăng nhập' });
    await signInForm.getByLabel('Tên đăng nhập').fill('scheduler');
    await signInForm.getByLabel('Mật khẩu').fill(PASSWORD);
    await signInForm.getByRole('button', { name: 'Đăng nhập' }).click();

    await page.getByRole('heading', { name: 'Bảng phát sóng' }).waitFor();
    await page.getByTestId('board-connection').getByText('Trực tiếp').waitFor();
    const card = page.locator(`[data-testid="board-cluster"][data-cluster-id="${cluster.id}"]`);
    await card.getByRole('heading', { name: cluster.name }).waitFor();
    // Only roles that may air see the emergency form's button.
    await page.getByRole('button', { name: 'Phát khẩn cấp' }).waitFor();

    await card.getByRole('button', { name: `Phát thử trên ${cluster.name}` }).click();
    await card.getByText('Đã gửi âm thử 3 giây.').waitFor();
    // The board shows it airing, then the day's list shows it aired (both over the event stream).
    const row = page.getByTestId('day-broadcast').filter({ hasText: 'Âm thử 1 kHz' });
    await row.locator('[data-status="AIRED"]').waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Nghe bản ghi' }).click();
    const player = row.getByTestId('recording-player');
    await player.waitFor();
    const played = await player.evaluate(
      (audio: HTMLAudioElement) =>
        new Promise<{ currentTime: number; duration: number } | { error: string }>((done) => {
          const failed = () => done({ error: `${audio.error?.code} ${audio.error?.message ?? ''}` });
          if (audio.error) return failed();
          audio.addEventListener('error', failed, { once: true });
          audio.addEventListener('timeupdate', function advanced() {
            if (audio.currentTime <= 0.2) return;
            audio.removeEventListener('timeupdate', advanced);
            audio.pause();
            done({ currentTime: audio.currentTime, duration: audio.duration });
          });
          audio.play().catch((err: Error) => done({ error: `play(): ${err.name} ${err.message}` }));
        }),
    );
    expect(played).toMatchObject({ currentTime: expect.any(Number) });
    // What was captured is the 3 s tone.
    expect((played as { duration: number }).duration).toBeCloseTo(3, 0);

    // On a phone the board and the list stay within the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await card.getByRole('button', { name: `Phát thử trên ${cluster.name}` }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const box = await card.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await context.close();
  }, 120_000);

  it('an officer sees the board but neither the emergency button nor the test tone', async () => {
    const { browser, baseUrl } = served as ServedBrowser;
    const context = await browser.newContext({ locale: 'vi-VN' });
    // A shared, busy machine: the first page of a fresh browser may take a while.
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    await page.goto(baseUrl);
    const signInForm = page.getByRole('form', { name: 'Đăng nhập' });
    await signInForm.getByLabel('Tên đăng nhập').fill('officer');
    await signInForm.getByLabel('Mật khẩu').fill(PASSWORD);
    await signInForm.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByTestId('board-cluster').first().waitFor();
    expect(await page.getByRole('button', { name: 'Phát khẩn cấp' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Phát thử/ }).count()).toBe(0);
    await context.close();
  }, 60_000);
});
