// On the bulletin page: which of the commune's languages will air and which will not, Process held
// while a required language has no track; delete a draft, withdraw an approval, archive — each
// confirmed. Real server, the real build of the web app, Debian's chromium; event-driven waits.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { type ServedBrowser, serveToBrowser } from '../setup/browser.ts';
import { createTestWorld, PASSWORD, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let world: TestWorld;
let served: ServedBrowser;
let officer: SignedIn;
let page: Page;
let dir: string;
let speech: string;

beforeAll(async () => {
  world = await createTestWorld({ webDist: resolve('web/dist') });
  officer = await signIn(world.app, 'officer');
  const admin = await signIn(world.app, 'admin');
  await admin
    .send('patch', `/api/communes/${world.communeA.id}`, { requiredLanguages: ['vie', 'hmn'] })
    .expect(200);
  dir = await mkdtemp(join(tmpdir(), 'loa-browser-lifecycle-'));
  speech = join(dir, 'speech.mp3');
  await generateSpeechLike(speech, { durationSec: 2, container: 'mp3' });
  served = await serveToBrowser(world.app);
  page = await served.browser.newPage({ locale: 'vi-VN' });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(served.baseUrl);
  const form = page.getByRole('form', { name: 'Đăng nhập' });
  await form.getByLabel('Tên đăng nhập').fill('officer');
  await form.getByLabel('Mật khẩu').fill(PASSWORD);
  await form.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('link', { name: 'Bản tin' }).first().waitFor();
});
afterAll(async () => {
  await served?.close();
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function draftWithVietnamese(title: string): Promise<string> {
  const created = await officer
    .send('post', '/api/bulletins', { communeId: world.communeA.id, title })
    .expect(201);
  await officer.agent
    .put(`/api/bulletins/${created.body.id}/tracks/vie`)
    .set('x-csrf-token', officer.csrf)
    .attach('file', speech)
    .expect(200);
  return created.body.id;
}

async function open(id: string) {
  await page.goto(`${served.baseUrl}/bulletins/${id}`);
  await page.getByRole('heading', { name: 'Rút lại hoặc gỡ bỏ' }).waitFor();
}

describe('languages of a bulletin', () => {
  it('says which languages air and which do not, and holds Process while a required one is missing', async () => {
    const id = await draftWithVietnamese('Tiêm phòng cho gia súc');
    await open(id);
    const plan = page.getByTestId('language-plan');
    expect(await plan.locator('li').allInnerTexts()).toEqual([
      'Tiếng Việt (phổ thông): có phát',
      'Tiếng Mông: bắt buộc, chưa có tiếng',
      'Tiếng Hà Nhì: chưa có tiếng: sẽ không phát',
    ]);
    expect(await page.getByTestId('missing-languages').innerText()).toBe(
      'Chưa xử lý được: xã yêu cầu có Tiếng Mông.',
    );
    expect(await page.getByRole('button', { name: 'Xử lý' }).isDisabled()).toBe(true);
  });
});

describe('withdraw and remove', () => {
  it('deletes a draft after confirmation', async () => {
    const id = await draftWithVietnamese('Nháp sẽ xoá');
    await open(id);
    await page.getByRole('button', { name: 'Xoá bản nháp' }).click();
    await page.waitForURL(`${served.baseUrl}/bulletins`);
    await officer.send('get', `/api/bulletins/${id}`).expect(404);
  });

  it('withdraws an approval, then archives the bulletin', async () => {
    const prisma = world.db.prisma;
    const scheduler = await prisma.user.findUniqueOrThrow({ where: { username: 'scheduler' } });
    const id = await draftWithVietnamese('Đã duyệt');
    await prisma.bulletin.update({
      where: { id },
      data: {
        status: 'READY',
        approvedAt: new Date(),
        approvedById: scheduler.id,
        renditions: {
          create: {
            revision: 1,
            profileId: 'wav-l16',
            path: `renditions/${id}/1/programme.wav`,
            mimeType: 'audio/wav',
            codec: 'pcm_s16le',
            sampleRate: 16000,
            channels: 1,
            bytes: 1n,
            sha256: 'c'.repeat(64),
            durationSec: 2,
            integratedLufs: -18,
            truePeakDbtp: -2,
          },
        },
      },
    });
    await open(id);
    expect(await page.getByRole('button', { name: 'Xoá bản nháp' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Rút lại phê duyệt' }).click();
    await page.getByRole('button', { name: 'Rút lại phê duyệt' }).waitFor({ state: 'detached' });
    expect((await officer.send('get', `/api/bulletins/${id}`).expect(200)).body.approvedAt).toBeNull();

    await page.getByRole('button', { name: 'Lưu trữ' }).click();
    await page.getByTestId('archived').waitFor();
    expect(await page.getByTestId('archived').innerText()).toMatch(/^Đã lưu trữ lúc .+: giữ làm bằng chứng/);
    const after = (await officer.send('get', `/api/bulletins/${id}`).expect(200)).body;
    expect(after.archivedAt).not.toBeNull();
    const audit = await prisma.auditEvent.findMany({ where: { entityId: id }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action).slice(-2)).toEqual(['bulletin.withdraw-approval', 'bulletin.archive']);
  });
});
