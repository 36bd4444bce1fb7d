// Issue 13: an auditor opens the quarter's report, drills from a count to the records behind it,
// and downloads the XLSX export (written by the export job, its progress shown). Real server
// (PGlite, Redis), a BullMQ worker running the export job, the built web app, Debian's chromium.
import { resolve } from 'node:path';
import { Worker } from 'bullmq';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openRedis } from '../../platform/redis.ts';
import { exportReport } from '../../worker/jobs/export-report.ts';
import { QUARTER, simulateQuarter } from '../integration/reports/quarter.ts';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, type TestWorld } from '../setup/test-app.ts';

let world: TestWorld;
let served: ServedBrowser | undefined;
let browser: Browser;
let baseUrl: string;
let worker: Worker;

beforeAll(async () => {
  world = await createTestWorld({ webDist: resolve('web/dist') });
  await simulateQuarter(world);
  worker = new Worker(
    'maintenance',
    async (job) => exportReport(world.db.prisma, world.mediaDir, job.data.exportId),
    { connection: openRedis(inject('redisUrl'), 'worker'), prefix: world.prefix },
  );
  served = await serveToBrowser(world.app);
  ({ browser, baseUrl } = served);
}, 180_000);

afterAll(async () => {
  await served?.close();
  await worker?.close();
  await world?.close();
});

describe('the reports page in the browser', () => {
  it('an auditor opens the quarter, drills from a count to its records, and downloads the XLSX', async () => {
    const context = await browser.newContext({ locale: 'vi-VN', acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(baseUrl);
    const form = page.getByRole('form', { name: 'Đăng nhập' });
    await form.getByLabel('Tên đăng nhập').fill('auditor');
    await form.getByLabel('Mật khẩu').fill(PASSWORD);
    await form.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Báo cáo' }).click();
    await page.getByLabel('Quý (YYYY-Qn)').fill(QUARTER);
    await page.getByLabel('Rồi theo').selectOption('');
    await page.getByLabel('Nhóm theo').selectOption('cluster');
    const table = page.getByTestId('report-counts');
    // The table grouped by cluster alone: one dimension column, seven counts, minutes, rate, skew.
    await expect
      .poll(async () => (await table.locator('thead th').allTextContents()).join('|'))
      .toMatch(/^Cụm loa\|Kế hoạch\|/);
    await expect.poll(() => table.locator('thead th').count()).toBe(11);
    const row = table.getByRole('row').filter({ hasText: 'Cụm loa bản Mù Cả' });
    await row.waitFor();
    // The offline cluster: 11 held, 5 failed (cluster offline) over the quarter's 16 market days.
    await expect.poll(() => row.getByTestId('count-held').textContent()).toBe('11');
    await row.getByTestId('count-failed').click();
    const drill = page.getByTestId('drill-down');
    await expect.poll(() => drill.getByTestId('record-row').count()).toBe(5);
    expect(await drill.textContent()).toContain('Cụm loa không phản hồi');
    await row.getByTestId('count-held').click();
    await expect.poll(() => drill.getByTestId('record-row').count()).toBe(11);
    expect(await drill.getByRole('link', { name: 'Nghe bản ghi âm' }).count()).toBe(11);
    // The exceptions and the charts are there, with Vietnamese names.
    expect(await page.getByTestId('planned').textContent()).toContain('Nhường phát khẩn cấp');
    await page.getByTestId('chart-language').getByRole('table').waitFor();

    await page.getByRole('button', { name: 'Xuất XLSX' }).click();
    const link = page.getByTestId('export-download');
    await link.waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('bao-cao-buoi-phat-2026-07-01-2026-09-30.xlsx');
    const path = await download.path();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const values = JSON.stringify(workbook.getWorksheet('Báo cáo')?.getSheetValues());
    expect(values).toContain('Cụm loa bản Mù Cả');
    expect(values).toContain('{\\"chainHeads\\":[{\\"commune\\":\\"99001\\"');
    await context.close();
  });
});
