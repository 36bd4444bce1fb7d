// Issue 13, operations: a global admin opens the job queues from the web app's menu and the
// bull-board page works under the app's Content-Security-Policy; a scheduler has no such link.
// Real server (PGlite, Redis), real build of the web app, Debian's chromium.
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, type TestWorld } from '../setup/test-app.ts';

let world: TestWorld;
let served: ServedBrowser | undefined;

beforeAll(async () => {
  world = await createTestWorld({ webDist: resolve('web/dist') });
  served = await serveToBrowser(world.app);
  // A job that waits (no worker here), so the board has something to show.
  await world.deps.jobs.enqueue('reconcile-transcodes', {}, 'queue-view-waiting');
});

afterAll(async () => {
  await served?.close();
  await world?.close();
});

async function signIn(page: Page, username: string, displayName: string) {
  const form = page.getByRole('form', { name: 'Đăng nhập' });
  await form.getByLabel('Tên đăng nhập').fill(username);
  await form.getByLabel('Mật khẩu').fill(PASSWORD);
  await form.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByTestId('who').getByText(displayName).waitFor();
}

describe('job queue view in the browser', () => {
  it('a global admin opens it from the menu; it renders with no CSP violation but the outside font', async () => {
    const { browser, baseUrl } = served as ServedBrowser;
    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    const failed: string[] = [];
    page.on('requestfailed', (r) => {
      // The web app's own event stream is cut when the page is left; the board's requests must not fail.
      if (r.url().startsWith(`${baseUrl}/admin/queues`)) failed.push(r.url());
    });

    await page.goto(baseUrl);
    await signIn(page, 'admin', 'Quản trị hệ thống');
    await page.getByRole('link', { name: 'Hàng đợi công việc' }).click();
    await page.waitForURL(`${baseUrl}/admin/queues`);
    // bull-board's own React app drew the queues it read from its API (GET only).
    await page.getByText('maintenance', { exact: true }).first().waitFor();
    await page.getByText('transcode', { exact: true }).first().waitFor();

    expect(failed).toEqual([]);
    // Only the Google Fonts stylesheet (an outside origin) is refused; scripts, styles and the
    // page's own API calls all pass the policy.
    expect(blocked.filter((text) => !text.includes('fonts.googleapis.com'))).toEqual([]);
    // …and that refusal shows the policy is in force on this page.
    expect(blocked.some((text) => text.includes('fonts.googleapis.com'))).toBe(true);
    await context.close();
  }, 60_000);

  it('a scheduler has no link to it, and is refused at its address', async () => {
    const { browser, baseUrl } = served as ServedBrowser;
    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(baseUrl);
    await signIn(page, 'scheduler', 'Cán bộ lập lịch phát');
    expect(await page.getByRole('link', { name: 'Hàng đợi công việc' }).count()).toBe(0);
    const res = await page.goto(`${baseUrl}/admin/queues`);
    expect(res?.status()).toBe(403);
    await context.close();
  }, 60_000);
});
