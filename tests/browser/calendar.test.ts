// Issue 5, web pages: a scheduler creates a market calendar with the Khâu Vai lunar-days rule
// (2, 7, 12, 17, 22, 27 of every lunar month) and sees its market days in the month view, each
// labelled with its lunar date and the day's earthly branch.
// Real server (PGlite, Redis), real build of the web app, Debian's chromium.
// LOA_SCREENSHOT_DIR=/tmp also saves screenshots of the pages (desktop and a 390 px phone).
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, type TestWorld } from '../setup/test-app.ts';

const KHAU_VAI_DAYS = [2, 7, 12, 17, 22, 27];
const CALENDAR = 'Chợ phiên Khâu Vai';
const SHOTS = process.env.LOA_SCREENSHOT_DIR;

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

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  await page.screenshot({ path: `${SHOTS}/loa-${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/loa-${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('market calendars in the browser', () => {
  it('a scheduler creates the Khâu Vai calendar and sees market days with lunar labels', async () => {
    const context = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(baseUrl);

    const signIn = page.getByRole('form', { name: 'Đăng nhập' });
    await signIn.getByLabel('Tên đăng nhập').fill('scheduler');
    await signIn.getByLabel('Mật khẩu').fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByTestId('who').getByText('Cán bộ lập lịch phát').waitFor();

    const menu = page.getByRole('navigation', { name: 'Trình đơn chính' });
    await menu.getByRole('link', { name: 'Lịch phiên chợ', exact: true }).click();
    await page.getByRole('heading', { name: 'Lịch phiên chợ', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Thêm lịch phiên chợ' }).click();

    const form = page.getByRole('form', { name: 'Lịch phiên chợ mới' });
    await form.getByLabel('Xã', { exact: true }).selectOption(world.communeA.id);
    await form.getByLabel('Tên lịch').fill(CALENDAR);
    // No day chosen yet: the server's field error lands inside the rule it names.
    await form.getByRole('button', { name: 'Tạo lịch' }).click();
    const rule = form.getByRole('group', { name: 'Quy tắc 1: Theo ngày âm lịch hằng tháng' });
    await rule.getByRole('alert').getByText('Chọn ít nhất 1 giá trị.').waitFor();
    // A new calendar starts with one lunar-days rule: pick its days as chips.
    const chips = form.getByRole('group', { name: 'Ngày âm lịch' });
    for (const day of KHAU_VAI_DAYS) {
      const chip = chips.getByRole('button', { name: String(day), exact: true });
      await chip.click();
      expect(await chip.getAttribute('aria-pressed')).toBe('true');
    }
    await shoot(page, 'calendar-form');
    await form.getByRole('button', { name: 'Tạo lịch' }).click();

    // The list shows the new calendar's rule, and the month view its market days.
    const table = page.getByRole('table', { name: 'Lịch phiên chợ' });
    await table.getByText('Ngày âm 2, 7, 12, 17, 22, 27').waitFor();
    const month = page.getByRole('region', { name: `Phiên chợ theo tháng — ${CALENDAR}` });
    const days = month.getByRole('list', { name: /^Các phiên chợ tháng/ }).getByRole('listitem');
    await days.first().waitFor();
    const labels = await days.allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    for (const text of labels) {
      const lunar =
        /(?<!\d)(\d{1,2})\/(\d{1,2})( nhuận)? âm · ngày (Tý|Sửu|Dần|Mão|Thìn|Tỵ|Ngọ|Mùi|Thân|Dậu|Tuất|Hợi)/.exec(
          text,
        );
      expect(lunar, text).not.toBeNull();
      expect(KHAU_VAI_DAYS).toContain(Number(lunar?.[1]));
    }
    // The next month is fetched when asked for, and labelled the same way.
    await month.getByRole('button', { name: 'Tháng sau' }).click();
    const heading = month.getByRole('heading', { level: 3 });
    const title = await heading.textContent();
    expect(title).toMatch(/^Tháng \d{1,2}\/\d{4}$/);
    await month
      .getByRole('list', { name: `Các phiên chợ ${title?.toLowerCase()}` })
      .getByText(/ âm · ngày /)
      .first()
      .waitFor();
    await shoot(page, 'calendars');

    // A subscription address shared too widely is replaced; the old one stops answering.
    const feed = page.locator('.card.feed');
    const address = feed.locator('code');
    const before = (await address.textContent()) as string;
    expect((await fetch(before)).status).toBe(200);
    page.once('dialog', (dialog) => dialog.accept());
    await feed.getByRole('button', { name: 'Đổi địa chỉ đăng ký (địa chỉ cũ ngừng hoạt động)' }).click();
    await expect.poll(() => address.textContent()).not.toBe(before);
    const after = (await address.textContent()) as string;
    expect((await fetch(before)).status).toBe(404);
    expect((await fetch(after)).status).toBe(200);

    await context.close();
  }, 40_000);

  it('a slot that meets another on the same cluster is refused, naming the slot, cluster and dates', async () => {
    const prisma = world.db.prisma;
    const scheduler = await prisma.user.findUniqueOrThrow({ where: { username: 'scheduler' } });
    const calendar = await prisma.marketCalendar.findFirstOrThrow({
      where: { communeId: world.communeA.id, name: 'Chợ phiên Dào San' },
    });
    // An approved, ready bulletin (the transcode path has its own tests).
    await prisma.bulletin.create({
      data: {
        communeId: world.communeA.id,
        title: 'Thông báo phiên chợ',
        status: 'READY',
        authorId: scheduler.id,
        approvedById: scheduler.id,
        approvedAt: new Date(),
      },
    });
    const context = await browser.newContext({ locale: 'vi-VN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${baseUrl}/slots?calendarId=${calendar.id}`);
    const signIn = page.getByRole('form', { name: 'Đăng nhập' });
    await signIn.getByLabel('Tên đăng nhập').fill('scheduler');
    await signIn.getByLabel('Mật khẩu').fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: 'Khung giờ phát', level: 1 }).waitFor();

    const addSlot = async (time: string) => {
      await page.getByRole('button', { name: 'Thêm khung giờ' }).click();
      const form = page.getByRole('form', { name: 'Khung giờ phát mới' });
      await form.getByLabel('Giờ phát (HH:mm)').fill(time);
      await form.getByLabel('Tên khung giờ').fill(`Phát ${time}`);
      await form.getByRole('checkbox', { name: 'Cụm loa trung tâm xã' }).check();
      await form
        .getByLabel('Thêm vào danh sách')
        .selectOption({ label: 'Thông báo phiên chợ (Thông thường)' });
      await form.getByRole('button', { name: 'Thêm vào danh sách' }).click();
      await form.getByRole('listitem').filter({ hasText: 'Thông báo phiên chợ' }).waitFor();
      await form.getByLabel('Độ dài một lượt (giây)').fill('600');
      await form.getByRole('button', { name: 'Lưu' }).click();
      return form;
    };

    await addSlot('07:00');
    const table = page.getByRole('table', { name: 'Khung giờ của Chợ phiên Dào San' });
    await table.getByRole('cell', { name: '07:00', exact: true }).waitFor();

    const second = await addSlot('07:05');
    const conflict = second.getByRole('alert').filter({ hasText: 'Không lưu được' });
    await conflict.waitFor();
    const text = await conflict.textContent();
    expect(text).toContain('Phát 07:00');
    expect(text).toContain('Cụm loa trung tâm xã');
    expect(text).toMatch(/Ngày trùng \(\d+\): \d{2}\/\d{2}\/\d{4}/);
    await shoot(page, 'slots');
    await context.close();
  }, 40_000);
});
