// Issue 3, done-when: an admin creates an officer for one commune through the web app; that
// officer, signed in through the same web app, sees only that commune's clusters, and the API
// answers 404 for another commune's cluster even when asked directly from their browser.
// Real server (PGlite, Redis), real build of the web app, Debian's chromium.
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, type TestWorld } from '../setup/test-app.ts';

const CLUSTERS_OF_A = ['Cụm loa trung tâm xã', 'Cụm loa bản Tả Phìn'];
const CLUSTER_OF_B = 'Cụm loa cột cờ';
const OFFICER = { username: 'can-bo-dao-san', displayName: 'Lò Thị Mai', password: 'mat-khau-dao-san-1' };

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

async function signIn(page: Page, username: string, password: string, displayName: string) {
  const form = page.getByRole('form', { name: 'Đăng nhập' });
  await form.getByLabel('Tên đăng nhập').fill(username);
  await form.getByLabel('Mật khẩu').fill(password);
  await form.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByTestId('who').getByText(displayName).waitFor();
}

describe('accounts in the browser', () => {
  it('an officer made for commune A sees only commune A, in the UI and through the API', async () => {
    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(baseUrl);

    // A wrong password says so, in Vietnamese.
    const form = page.getByRole('form', { name: 'Đăng nhập' });
    await form.getByLabel('Tên đăng nhập').fill('admin');
    await form.getByLabel('Mật khẩu').fill('not-the-password');
    await form.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('alert').getByText('Sai tên đăng nhập hoặc mật khẩu.').waitFor();

    await signIn(page, 'admin', PASSWORD, 'Quản trị hệ thống');
    await page.getByRole('link', { name: 'Người dùng', exact: true }).click();
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    const create = page.getByRole('form', { name: 'Thêm người dùng mới' });
    await create.getByLabel('Tên đăng nhập').fill(OFFICER.username);
    await create.getByLabel('Họ tên').fill(OFFICER.displayName);
    await create.getByLabel('Mật khẩu ban đầu').fill(OFFICER.password);
    await create.getByLabel('Vai trò', { exact: true }).selectOption('OFFICER');
    await create.getByLabel('Phạm vi', { exact: true }).selectOption('commune');
    await create.getByLabel('Xã', { exact: true }).selectOption(world.communeA.id);
    await create.getByRole('button', { name: 'Tạo người dùng' }).click();
    const row = page.getByRole('row').filter({ hasText: OFFICER.username });
    await row.getByText('Xã Dào San (dữ liệu mẫu)').waitFor();
    expect(await row.textContent()).toContain('Cán bộ soạn tin');

    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await signIn(page, OFFICER.username, OFFICER.password, OFFICER.displayName);

    // The menu follows the role: no user or token administration for an officer.
    const menu = page.getByRole('navigation', { name: 'Trình đơn chính' });
    await menu.getByRole('link', { name: 'Cụm loa', exact: true }).click();
    const table = page.getByRole('table', { name: 'Cụm loa' });
    for (const name of CLUSTERS_OF_A) await table.getByRole('cell', { name, exact: true }).waitFor();
    expect(await table.getByText(CLUSTER_OF_B).count()).toBe(0);
    expect(await table.locator('tbody tr').count()).toBe(CLUSTERS_OF_A.length);
    expect(await menu.getByRole('link', { name: 'Người dùng' }).count()).toBe(0);
    expect(await menu.getByRole('link', { name: 'Khoá API' }).count()).toBe(0);

    // The same browser session asking the API directly: B's cluster does not exist for them.
    const answers = await page.evaluate(
      async (ids) => {
        const ask = async (id: string) => {
          const response = await fetch(`/api/clusters/${id}`, { credentials: 'same-origin' });
          return { status: response.status, body: await response.json() };
        };
        return { own: await ask(ids.own), other: await ask(ids.other) };
      },
      { own: world.clusterA, other: world.clusterB },
    );
    expect(answers.own.status).toBe(200);
    expect(answers.own.body.communeId).toBe(world.communeA.id);
    expect(answers.other).toMatchObject({ status: 404, body: { code: 'not-found' } });
    await context.close();
  });
});
