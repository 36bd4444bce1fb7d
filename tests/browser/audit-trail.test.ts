// Issue 10 item 6: the audit trail serves an auditor. An auditor of commune A filters the trail
// to bulletins and reads sentences with names ("Cán bộ lập lịch phát đã duyệt bản tin «…»"),
// not codes and ids, nothing of commune B, and a change as "field: before → after", not JSON.
// The approver sees the author's name, not "another officer".
// Real server (PGlite, Redis), real build of the web app, Debian's chromium.
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, signIn, type TestWorld } from '../setup/test-app.ts';

const TITLE = 'Tiêm phòng lở mồm long móng cho đàn trâu bò';
const OTHER_TITLE = 'Bản tin riêng của xã Lũng Cú';
const AUTHOR = 'Cán bộ văn hoá xã';
const APPROVER = 'Cán bộ lập lịch phát';

let world: TestWorld;
let served: ServedBrowser | undefined;
let browser: Browser;
let baseUrl: string;
let bulletinId: string;

beforeAll(async () => {
  world = await createTestWorld({ webDist: resolve('web/dist') });
  served = await serveToBrowser(world.app);
  ({ browser, baseUrl } = served);

  // The officer writes a bulletin of commune A and changes its programme; it is processed (set
  // here) and the scheduler approves it. An officer writes one in commune B.
  const officer = await signIn(world.app, 'officer');
  const created = await officer.send('POST', '/api/bulletins', {
    communeId: world.communeA.id,
    title: TITLE,
    programme: 'Thời sự',
  });
  expect(created.status).toBe(201);
  bulletinId = created.body.id;
  const changed = await officer.send('PATCH', `/api/bulletins/${bulletinId}`, {
    programme: 'Khuyến nông',
  });
  expect(changed.status).toBe(200);
  await world.db.prisma.bulletin.update({
    where: { id: bulletinId },
    data: { status: 'READY', progress: 1 },
  });
  const scheduler = await signIn(world.app, 'scheduler');
  expect((await scheduler.send('POST', `/api/bulletins/${bulletinId}/approve`)).status).toBe(200);
  const admin = await signIn(world.app, 'admin');
  const officerB = { username: 'can-bo-lung-cu', displayName: 'Cán bộ xã Lũng Cú', password: PASSWORD };
  const made = await admin.send('POST', '/api/users', {
    ...officerB,
    roles: [{ role: 'OFFICER', communeId: world.communeB.id }],
  });
  expect(made.status).toBe(201);
  const writerB = await signIn(world.app, officerB.username);
  const other = await writerB.send('POST', '/api/bulletins', {
    communeId: world.communeB.id,
    title: OTHER_TITLE,
  });
  expect(other.status).toBe(201);
});

afterAll(async () => {
  await served?.close();
  await world?.close();
});

async function signInAs(page: Page, username: string, displayName: string) {
  await page.goto(baseUrl);
  const form = page.getByRole('form', { name: 'Đăng nhập' });
  await form.getByLabel('Tên đăng nhập').fill(username);
  await form.getByLabel('Mật khẩu').fill(PASSWORD);
  await form.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByTestId('who').getByText(displayName).waitFor();
}

describe('the audit trail in the browser', () => {
  it('the approver sees who wrote the bulletin', async () => {
    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInAs(page, 'scheduler', APPROVER);
    await page.goto(`${baseUrl}/bulletins/${bulletinId}`);
    const approval = page.getByRole('region', { name: 'Duyệt phát' });
    await approval.getByTestId('approval').waitFor();
    expect(await approval.textContent()).toContain(`Người soạn: ${AUTHOR}`);
    await context.close();
  });

  it('an auditor filters to bulletins and reads who did what to which bulletin', async () => {
    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInAs(page, 'auditor', 'Thanh tra Sở TT&TT');
    await page
      .getByRole('navigation', { name: 'Trình đơn chính' })
      .getByRole('link', { name: 'Nhật ký thao tác' })
      .click();

    const filter = page.getByLabel('Loại bản ghi');
    const offered = await filter.locator('option').allTextContents();
    expect(offered).toEqual(expect.arrayContaining(['Bản tin', 'Khung giờ phát', 'Lịch phiên chợ']));
    await filter.selectOption({ label: 'Bản tin' });

    const table = page.getByRole('table', { name: 'Nhật ký thao tác' });
    await table.getByText(`${APPROVER} đã duyệt bản tin «${TITLE}»`).waitFor();
    const lines = (await table.locator('tbody tr').allTextContents()).join('\n');
    expect(lines).toContain(`${AUTHOR} đã soạn bản tin «${TITLE}»`);
    expect(lines).toContain(`${AUTHOR} đã sửa bản tin «${TITLE}»`);
    // No codes, no ids, and nothing of a commune the auditor does not audit.
    expect(lines).not.toContain('bulletin.');
    expect(lines).not.toContain(bulletinId.slice(0, 8));
    expect(lines).not.toContain(OTHER_TITLE);

    // The change, readable: the field's name, before → after.
    const row = table.getByRole('row').filter({ hasText: `${AUTHOR} đã sửa bản tin` });
    await row.getByRole('button', { name: 'Chi tiết' }).click();
    const changes = page.getByRole('term').filter({ hasText: 'Chuyên mục' });
    await changes.waitFor();
    const details = await table.locator('tr.details').textContent();
    expect(details).toContain('Chuyên mục');
    expect(details).toMatch(/Thời sự\s*→\s*(Sau: )?Khuyến nông/);
    expect(details).not.toContain('{');
    expect(details).not.toContain('"programme"');
    await context.close();
  });
});
