// Issue 10 item 4: the list pages read on a phone. At 390 px, as admin, every cell of the
// communes, clusters, users, tokens and audit tables (the state and edit columns included) and
// the edit form lie within the screen; at 1366 px the renditions table's download links do.
// Real server (PGlite, Redis), real build of the web app, Debian's chromium.
import { resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, signIn, type TestWorld } from '../setup/test-app.ts';

const BULLETIN = 'Thông báo lịch tiêm phòng cho gia súc, gia cầm vụ xuân — bản tin dài để thử độ rộng';

let world: TestWorld;
let served: ServedBrowser | undefined;
let browser: Browser;
let baseUrl: string;
let bulletinId: string;

beforeAll(async () => {
  world = await createTestWorld({ webDist: resolve('web/dist') });
  served = await serveToBrowser(world.app);
  ({ browser, baseUrl } = served);
  // A token, so the tokens table has a row; a processed bulletin with the usual renditions.
  const admin = await signIn(world.app, 'admin');
  const user = await world.db.prisma.user.findUniqueOrThrow({ where: { username: 'scheduler' } });
  const token = await admin.send('POST', '/api/tokens', { name: 'Máy lập lịch của huyện', userId: user.id });
  expect(token.status).toBe(201);
  const officer = await world.db.prisma.user.findUniqueOrThrow({ where: { username: 'officer' } });
  const bulletin = await world.db.prisma.bulletin.create({
    data: {
      communeId: world.communeA.id,
      title: BULLETIN,
      status: 'READY',
      revision: 1,
      progress: 1,
      authorId: officer.id,
    },
  });
  bulletinId = bulletin.id;
  const profiles = [
    ['mp3-24k', 'audio/mpeg', 'mp3', 24000],
    ['opus-24k', 'audio/ogg', 'opus', 24000],
    ['pcmu-8k', 'audio/basic', 'pcm_mulaw', 8000],
    ['pcmu-16k', 'audio/basic', 'pcm_mulaw', 16000],
    ['wav-l16', 'audio/wav', 'pcm_s16le', 48000],
  ] as const;
  for (const language of [null, 'vie', 'hmn']) {
    for (const [profileId, mimeType, codec, sampleRate] of profiles) {
      await world.db.prisma.rendition.create({
        data: {
          bulletinId,
          revision: 1,
          language,
          profileId,
          path: `renditions/${bulletinId}/${language ?? 'programme'}-${profileId}`,
          mimeType,
          codec,
          sampleRate,
          channels: 1,
          bytes: 1_234_567n,
          sha256: '0'.repeat(64),
          durationSec: 184.5,
          integratedLufs: -16.2,
          truePeakDbtp: -1.5,
          peakTrimDb: -0.7,
        },
      });
    }
  }
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

/** The elements of `locator` that stick out of [left, right], described for the failure message. */
async function outside(locator: Locator, right: number, left = 0): Promise<string[]> {
  const out: string[] = [];
  for (const item of await locator.all()) {
    if (!(await item.isVisible())) continue;
    const box = await item.boundingBox();
    if (!box) continue;
    if (box.x < left - 0.5 || box.x + box.width > right + 0.5) {
      const text = ((await item.textContent()) ?? '').trim().slice(0, 30);
      out.push(`"${text}" at ${Math.round(box.x)}…${Math.round(box.x + box.width)}`);
    }
  }
  return out;
}

const PHONE = 390;

const PAGES = [
  { menu: 'Xã', edit: 'Sửa Xã Dào San (dữ liệu mẫu)', form: 'Sửa Xã Dào San' },
  { menu: 'Cụm loa', edit: 'Sửa Cụm loa trung tâm xã', form: 'Sửa Cụm loa trung tâm xã' },
  { menu: 'Người dùng', edit: 'Sửa officer', form: 'Sửa người dùng' },
  { menu: 'Khoá API', edit: null, form: null },
  { menu: 'Nhật ký thao tác', edit: null, form: null },
];

describe('list pages on a phone', () => {
  it('at 390 px every table cell and every edit form is within the screen', async () => {
    const context = await browser.newContext({ locale: 'vi-VN', viewport: { width: PHONE, height: 844 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInAs(page, 'admin', 'Quản trị hệ thống');
    const menu = page.getByRole('navigation', { name: 'Trình đơn chính' });
    const problems: Record<string, string[]> = {};
    const note = (key: string, found: string[]) => {
      problems[key] = [...(problems[key] ?? []), ...found];
    };
    for (const p of PAGES) {
      await menu.getByRole('link', { name: p.menu, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: p.menu, exact: true }).waitFor();
      const table = page.getByRole('main').locator('table');
      await table.locator('tbody tr').first().waitFor();
      const cells = table.locator('tbody td');
      expect(await cells.count()).toBeGreaterThan(0);
      note(p.menu, await outside(cells, PHONE));
      // The state and action buttons, and the page's own width.
      note(p.menu, await outside(table.locator('tbody button, tbody .badge'), PHONE));
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      if (scrollWidth > PHONE) note(p.menu, [`page is ${scrollWidth} px wide`]);
      if (p.edit && p.form) {
        await page.getByRole('button', { name: p.edit, exact: true }).click();
        const form = page.getByRole('form', { name: p.form });
        await form.waitFor();
        note(`${p.menu} form`, await outside(form, PHONE));
        note(`${p.menu} form`, await outside(form.locator('input, select, button'), PHONE));
        await form.getByRole('button', { name: 'Huỷ' }).click();
        await form.waitFor({ state: 'detached' });
      }
    }
    expect(Object.fromEntries(Object.entries(problems).filter(([, v]) => v.length > 0))).toEqual({});
    await context.close();
  });

  it('at 1366 px the renditions table shows its download links', async () => {
    const context = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signInAs(page, 'admin', 'Quản trị hệ thống');
    await page.goto(`${baseUrl}/bulletins/${bulletinId}`);
    const table = page.getByRole('table', { name: 'Các tệp đã tạo' });
    const links = table.getByRole('link', { name: 'Tải về' });
    await links.first().waitFor();
    expect(await links.count()).toBe(15);
    // Within the screen, and within the card: not hidden in a scrolled-away part of the table.
    const card = await page.getByRole('region', { name: 'Các tệp đã tạo' }).boundingBox();
    if (!card) throw new Error('no renditions card');
    expect(card.x + card.width).toBeLessThanOrEqual(1366);
    expect(await outside(links, card.x + card.width, card.x)).toEqual([]);
    expect(await outside(table.locator('td'), card.x + card.width, card.x)).toEqual([]);
    await context.close();
  });
});
