// The cluster form offers each driver's own settings as the server validates them: RTP with a
// dynamic payload type names its encoding (Opus), G.722 (no rendition) is not offered, and a
// mismatch is refused next to the field.
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, type TestWorld } from '../setup/test-app.ts';

let world: TestWorld;
let served: ServedBrowser | undefined;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  world = await createTestWorld({ webDist: resolve('web/dist') });
  served = await serveToBrowser(world.app);
  ({ browser, baseUrl } = served);
});

afterAll(async () => {
  await served?.close();
  await world?.close();
});

describe('cluster drivers in the browser', () => {
  it('an admin adds an RTP cluster sending Opus on a dynamic payload type', async () => {
    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(baseUrl);
    const signIn = page.getByRole('form', { name: 'Đăng nhập' });
    await signIn.getByLabel('Tên đăng nhập').fill('admin');
    await signIn.getByLabel('Mật khẩu').fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('link', { name: 'Cụm loa', exact: true }).click();
    await page.getByRole('button', { name: 'Thêm cụm loa' }).click();

    const form = page.getByRole('form', { name: 'Thêm cụm loa mới' });
    await form.getByLabel('Tên cụm loa').fill('Cụm loa chợ Opus');
    await form.getByLabel('Cách kết nối').selectOption('RTP');
    await form.getByLabel('Địa chỉ máy').fill('239.255.10.1');
    await form.getByLabel('Cổng', { exact: true }).fill('5004');
    const payload = form.getByLabel('Mã hoá âm thanh');
    expect(await payload.locator('option').allTextContents()).not.toContain('G.722');
    await payload.selectOption('111');

    // A dynamic type without its encoding is refused, next to the encoding field.
    await form.getByRole('button', { name: 'Lưu' }).click();
    await form.getByRole('alert').first().waitFor();
    await form.getByLabel('Mã hoá (loại động 96–127)').selectOption('OPUS');
    await form.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('cell', { name: 'Cụm loa chợ Opus' }).first().waitFor();

    const stored = await world.db.prisma.cluster.findFirstOrThrow({ where: { name: 'Cụm loa chợ Opus' } });
    expect(stored.driverConfig).toEqual({
      host: '239.255.10.1',
      port: 5004,
      payloadType: 111,
      encoding: 'OPUS',
      ttl: 1,
    });
    await context.close();
  });
});
