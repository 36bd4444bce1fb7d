// Every API route (enumerated from the app, not a hand list) × every kind of caller × a
// record of their own commune and of another: the status and problem code each gets.
// A route added without an entry in RULES fails here.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/access.ts';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { signMediaUrl } from '../../platform/receiver-secrets.ts';
import { newSecret } from '../../platform/secrets.ts';
import { feedKey } from '../../server/modules/calendars/feed-key.ts';
import { createTestWorld, PASSWORD, signIn, type TestWorld } from '../setup/test-app.ts';

type Target = 'own' | 'other';
type Caller = 'none' | 'global-admin' | 'province-admin' | 'officer' | 'scheduler' | 'auditor';
const USERNAME: Record<Exclude<Caller, 'none'>, string> = {
  'global-admin': 'admin',
  'province-admin': 'province-admin',
  officer: 'officer',
  scheduler: 'scheduler',
  auditor: 'auditor',
};
const ROLE_OF: Record<Exclude<Caller, 'none'>, Role> = {
  'global-admin': 'ADMIN',
  'province-admin': 'ADMIN',
  officer: 'OFFICER',
  scheduler: 'SCHEDULER',
  auditor: 'AUDITOR',
};
const CALLERS: Caller[] = ['none', 'global-admin', 'province-admin', 'officer', 'scheduler', 'auditor'];
const ALL: Role[] = ['ADMIN', 'OFFICER', 'SCHEDULER', 'AUDITOR'];

/** The rule a route must follow, written independently of the code's own declaration. */
type Rule =
  | { who: 'anyone' }
  | { who: 'signed-in' }
  | { who: 'global'; roles: Role[] }
  | { who: 'scoped'; roles: Role[] }
  | { who: 'commune'; roles: Role[] };

interface Call {
  path: string;
  body?: unknown;
  /** A file to upload as multipart field "file". */
  attach?: string;
}

interface RouteCase {
  rule: Rule;
  success: number;
  call(w: TestWorld, target: Target): Promise<Call> | Call;
}

const unique = () => randomUUID().slice(0, 8);

async function throwawayUser(w: TestWorld): Promise<string> {
  const user = await w.db.prisma.user.create({
    data: { username: `u-${unique()}`, displayName: 'Tạm', passwordHash: 'x' },
  });
  return user.id;
}

const EDITORS: Role[] = ['OFFICER', 'SCHEDULER'];
let audioFixture: string;

/** A bulletin of the target's commune, authored by the global admin (so anyone else may approve). */
async function bulletinOf(
  w: TestWorld,
  target: Target,
  options: { status?: 'DRAFT' | 'UPLOADED' | 'READY'; track?: boolean; rendition?: boolean } = {},
): Promise<{ id: string; renditionId?: string }> {
  const prisma = w.db.prisma;
  const admin = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
  const sha256 = 'a'.repeat(64);
  await prisma.mediaFile.upsert({
    where: { sha256 },
    create: {
      sha256,
      bytes: 10n,
      formatName: 'wav',
      codec: 'pcm_s16le',
      sampleRate: 16000,
      channels: 1,
      durationSec: 2,
    },
    update: {},
  });
  const bulletin = await prisma.bulletin.create({
    data: {
      communeId: target === 'own' ? w.communeA.id : w.communeB.id,
      title: `Bản tin ${unique()}`,
      authorId: admin.id,
      status: options.status ?? 'DRAFT',
      ...(options.track
        ? { tracks: { create: { language: 'vie', position: 0, sourceSha256: sha256 } } }
        : {}),
    },
  });
  if (!options.rendition) return { id: bulletin.id };
  const path = join('renditions', bulletin.id, '0', 'programme.mp3');
  await mkdir(join(w.mediaDir, 'renditions', bulletin.id, '0'), { recursive: true });
  await copyFile(audioFixture, join(w.mediaDir, path));
  const rendition = await prisma.rendition.create({
    data: {
      bulletinId: bulletin.id,
      revision: 0,
      profileId: 'mp3-24k',
      path,
      mimeType: 'audio/mpeg',
      codec: 'mp3',
      sampleRate: 24000,
      channels: 1,
      bytes: 1n,
      sha256,
      durationSec: 2,
      integratedLufs: -18,
      truePeakDbtp: -2,
    },
  });
  return { id: bulletin.id, renditionId: rendition.id };
}

const CALENDAR_WRITERS: Role[] = ['ADMIN', 'SCHEDULER'];
const communeOf = (w: TestWorld, target: Target) => (target === 'own' ? w.communeA.id : w.communeB.id);

/** A fresh market calendar (Sunday market) of the target's commune. */
async function calendarOf(w: TestWorld, target: Target): Promise<string> {
  const calendar = await w.db.prisma.marketCalendar.create({
    data: {
      communeId: communeOf(w, target),
      name: `Chợ ${unique()}`,
      rules: [{ kind: 'weekdays', days: ['SU'] }],
    },
  });
  return calendar.id;
}

const SLOT_WRITERS: Role[] = ['SCHEDULER'];

/** A fresh slot (no clusters, no playlist) on a fresh calendar of the target's commune. */
async function slotOf(w: TestWorld, target: Target): Promise<string> {
  const slot = await w.db.prisma.slot.create({
    data: {
      calendarId: await calendarOf(w, target),
      timeOfDay: '07:00',
      durationSec: 60,
      durationGiven: true,
    },
  });
  return slot.id;
}

/** What POST /api/slots needs: a calendar, a fresh cluster (so no conflict) and an approved bulletin. */
async function newSlotBody(w: TestWorld, target: Target) {
  const prisma = w.db.prisma;
  const communeId = communeOf(w, target);
  const admin = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
  const cluster = await prisma.cluster.create({ data: { communeId, name: `Cụm ${unique()}` } });
  const bulletin = await prisma.bulletin.create({
    data: {
      communeId,
      title: `Bản tin ${unique()}`,
      authorId: admin.id,
      status: 'READY',
      approvedAt: new Date(),
      approvedById: admin.id,
    },
  });
  return {
    calendarId: await calendarOf(w, target),
    time: '07:00',
    clusterIds: [cluster.id],
    bulletinIds: [bulletin.id],
    durationSec: 60,
  };
}

const AIRERS: Role[] = ['ADMIN', 'SCHEDULER'];

/** A broadcast row on the target commune's cluster (a recorder airing, its capture on disk). */
async function broadcastOf(w: TestWorld, target: Target, recorded = false): Promise<string> {
  const clusterId = target === 'own' ? w.clusterA : w.clusterB;
  const row = await w.db.prisma.broadcast.create({
    data: {
      communeId: communeOf(w, target),
      clusterId,
      scheduledAt: new Date(),
      priority: 'NORMAL',
      status: recorded ? 'AIRED' : 'PLANNED',
      profileId: 'wav-l16',
      driverKind: 'RECORDER',
      durationSec: 2,
      plan: { items: [] },
    },
  });
  if (recorded) {
    await mkdir(join(w.mediaDir, 'recordings'), { recursive: true });
    await copyFile(audioFixture, join(w.mediaDir, 'recordings', `${row.id}.wav`));
  }
  return row.id;
}

/** An approved emergency bulletin of the target's commune with its WAV L16 programme rendition. */
async function emergencyBulletinOf(w: TestWorld, target: Target): Promise<string> {
  const prisma = w.db.prisma;
  const admin = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
  const bulletin = await prisma.bulletin.create({
    data: {
      communeId: communeOf(w, target),
      title: `Khẩn cấp ${unique()}`,
      priority: 'EMERGENCY',
      authorId: admin.id,
      status: 'READY',
      approvedAt: new Date(),
      approvedById: admin.id,
    },
  });
  await prisma.rendition.create({
    data: {
      bulletinId: bulletin.id,
      revision: 0,
      profileId: 'wav-l16',
      path: `renditions/${bulletin.id}/0/programme.wav`,
      mimeType: 'audio/wav',
      codec: 'pcm_s16le',
      sampleRate: 16000,
      channels: 1,
      bytes: 1n,
      sha256: 'c'.repeat(64),
      durationSec: 2,
      integratedLufs: -18,
      truePeakDbtp: -3,
    },
  });
  return bulletin.id;
}

const RULES: Record<string, RouteCase> = {
  'get /healthz': { rule: { who: 'anyone' }, success: 200, call: () => ({ path: '/healthz' }) },
  'get /readyz': { rule: { who: 'anyone' }, success: 200, call: () => ({ path: '/readyz' }) },
  'get /api/openapi.json': {
    rule: { who: 'anyone' },
    success: 200,
    call: () => ({ path: '/api/openapi.json' }),
  },
  'post /api/auth/login': {
    rule: { who: 'anyone' },
    success: 200,
    call: () => ({ path: '/api/auth/login', body: { username: 'officer', password: PASSWORD } }),
  },
  'get /api/auth/session': {
    rule: { who: 'signed-in' },
    success: 200,
    call: () => ({ path: '/api/auth/session' }),
  },
  'post /api/auth/logout': {
    rule: { who: 'signed-in' },
    success: 204,
    call: () => ({ path: '/api/auth/logout' }),
  },
  'post /api/auth/password': {
    rule: { who: 'signed-in' },
    success: 204,
    call: () => ({ path: '/api/auth/password', body: { currentPassword: PASSWORD, newPassword: PASSWORD } }),
  },
  'get /api/users': {
    rule: { who: 'global', roles: ['ADMIN'] },
    success: 200,
    call: () => ({ path: '/api/users' }),
  },
  'post /api/users': {
    rule: { who: 'global', roles: ['ADMIN'] },
    success: 201,
    call: () => ({
      path: '/api/users',
      body: { username: `new-${unique()}`, displayName: 'Người mới', password: 'a-long-password' },
    }),
  },
  'patch /api/users/:userId': {
    rule: { who: 'global', roles: ['ADMIN'] },
    success: 200,
    call: async (w) => ({ path: `/api/users/${await throwawayUser(w)}`, body: { displayName: 'Đổi tên' } }),
  },
  'get /metrics': {
    rule: { who: 'global', roles: ['ADMIN', 'AUDITOR'] },
    success: 200,
    call: () => ({ path: '/metrics' }),
  },
  'get /api/tokens': {
    rule: { who: 'global', roles: ['ADMIN'] },
    success: 200,
    call: () => ({ path: '/api/tokens' }),
  },
  'post /api/tokens': {
    rule: { who: 'global', roles: ['ADMIN'] },
    success: 201,
    call: async (w) => ({
      path: '/api/tokens',
      body: { name: 'Hệ thống tỉnh', userId: await throwawayUser(w) },
    }),
  },
  'delete /api/tokens/:tokenId': {
    rule: { who: 'global', roles: ['ADMIN'] },
    success: 204,
    call: async (w) => {
      const token = await w.db.prisma.apiToken.create({
        data: { name: 't', prefix: 'loa_x', tokenHash: newSecret().hash, userId: await throwawayUser(w) },
      });
      return { path: `/api/tokens/${token.id}` };
    },
  },
  'get /api/languages': {
    rule: { who: 'signed-in' },
    success: 200,
    call: () => ({ path: '/api/languages' }),
  },
  'get /api/communes': {
    rule: { who: 'scoped', roles: ALL },
    success: 200,
    call: () => ({ path: '/api/communes' }),
  },
  'get /api/communes/:communeId': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: (w, t) => ({ path: `/api/communes/${t === 'own' ? w.communeA.id : w.communeB.id}` }),
  },
  'post /api/communes': {
    rule: { who: 'global', roles: ['ADMIN'] },
    success: 201,
    call: () => ({
      path: '/api/communes',
      body: {
        code: `9${Date.now() % 1e7}${Math.floor(Math.random() * 100)}`.slice(0, 12),
        name: 'Xã mới',
        province: 'Điện Biên',
      },
    }),
  },
  'patch /api/communes/:communeId': {
    rule: { who: 'commune', roles: ['ADMIN'] },
    success: 200,
    call: (w, t) => ({
      path: `/api/communes/${t === 'own' ? w.communeA.id : w.communeB.id}`,
      body: { languages: ['vie', 'hmn', 'hni'] },
    }),
  },
  'get /api/clusters': {
    rule: { who: 'scoped', roles: ALL },
    success: 200,
    call: () => ({ path: '/api/clusters' }),
  },
  'get /api/clusters/:clusterId': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: (w, t) => ({ path: `/api/clusters/${t === 'own' ? w.clusterA : w.clusterB}` }),
  },
  'post /api/clusters': {
    rule: { who: 'commune', roles: ['ADMIN'] },
    success: 201,
    call: (w, t) => ({
      path: '/api/clusters',
      body: { communeId: t === 'own' ? w.communeA.id : w.communeB.id, name: `Cụm ${unique()}` },
    }),
  },
  'patch /api/clusters/:clusterId': {
    rule: { who: 'commune', roles: ['ADMIN'] },
    success: 200,
    call: (w, t) => ({
      path: `/api/clusters/${t === 'own' ? w.clusterA : w.clusterB}`,
      body: { enabled: true },
    }),
  },
  'get /api/bulletins': {
    rule: { who: 'scoped', roles: ALL },
    success: 200,
    call: () => ({ path: '/api/bulletins' }),
  },
  'post /api/bulletins': {
    rule: { who: 'commune', roles: EDITORS },
    success: 201,
    call: (w, t) => ({
      path: '/api/bulletins',
      body: { communeId: t === 'own' ? w.communeA.id : w.communeB.id, title: 'Phòng chống cháy rừng' },
    }),
  },
  'get /api/bulletins/:bulletinId': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: async (w, t) => ({ path: `/api/bulletins/${(await bulletinOf(w, t)).id}` }),
  },
  'patch /api/bulletins/:bulletinId': {
    rule: { who: 'commune', roles: EDITORS },
    success: 200,
    call: async (w, t) => ({
      path: `/api/bulletins/${(await bulletinOf(w, t)).id}`,
      body: { programme: 'Biên giới' },
    }),
  },
  'put /api/bulletins/:bulletinId/tracks/:language': {
    rule: { who: 'commune', roles: EDITORS },
    success: 200,
    call: async (w, t) => ({
      path: `/api/bulletins/${(await bulletinOf(w, t)).id}/tracks/hmn`,
      attach: audioFixture,
    }),
  },
  'post /api/bulletins/:bulletinId/tracks/:language/tts': {
    rule: { who: 'commune', roles: EDITORS },
    success: 200,
    call: async (w, t) => ({
      path: `/api/bulletins/${(await bulletinOf(w, t)).id}/tracks/vie/tts`,
      body: { text: 'Xin chào bà con.' },
    }),
  },
  'delete /api/bulletins/:bulletinId/tracks/:language': {
    rule: { who: 'commune', roles: EDITORS },
    success: 200,
    call: async (w, t) => ({
      path: `/api/bulletins/${(await bulletinOf(w, t, { status: 'UPLOADED', track: true })).id}/tracks/vie`,
    }),
  },
  'post /api/bulletins/:bulletinId/transcode': {
    rule: { who: 'commune', roles: EDITORS },
    success: 202,
    call: async (w, t) => ({
      path: `/api/bulletins/${(await bulletinOf(w, t, { status: 'UPLOADED', track: true })).id}/transcode`,
    }),
  },
  'post /api/bulletins/:bulletinId/approve': {
    rule: { who: 'commune', roles: EDITORS },
    success: 200,
    call: async (w, t) => ({
      path: `/api/bulletins/${(await bulletinOf(w, t, { status: 'READY', track: true })).id}/approve`,
    }),
  },
  'post /api/bulletins/:bulletinId/withdraw-approval': {
    rule: { who: 'commune', roles: EDITORS },
    success: 200,
    call: async (w, t) => {
      const { id } = await bulletinOf(w, t, { status: 'READY', track: true, rendition: true });
      const admin = await w.db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
      await w.db.prisma.bulletin.update({
        where: { id },
        data: { approvedAt: new Date(), approvedById: admin.id },
      });
      return { path: `/api/bulletins/${id}/withdraw-approval` };
    },
  },
  'post /api/bulletins/:bulletinId/archive': {
    rule: { who: 'commune', roles: EDITORS },
    success: 200,
    call: async (w, t) => ({ path: `/api/bulletins/${(await bulletinOf(w, t)).id}/archive` }),
  },
  'delete /api/bulletins/:bulletinId': {
    rule: { who: 'commune', roles: EDITORS },
    success: 204,
    call: async (w, t) => ({ path: `/api/bulletins/${(await bulletinOf(w, t)).id}` }),
  },
  'get /api/bulletins/:bulletinId/events': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: async (w, t) => ({ path: `/api/bulletins/${(await bulletinOf(w, t)).id}/events` }),
  },
  'get /api/bulletins/:bulletinId/renditions/:renditionId/audio': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: async (w, t) => {
      const { id, renditionId } = await bulletinOf(w, t, { status: 'READY', track: true, rendition: true });
      return { path: `/api/bulletins/${id}/renditions/${renditionId}/audio` };
    },
  },
  'get /api/tts/engines': {
    rule: { who: 'signed-in' },
    success: 200,
    call: () => ({ path: '/api/tts/engines' }),
  },
  'get /api/audit': {
    rule: { who: 'scoped', roles: ['ADMIN', 'AUDITOR'] },
    success: 200,
    call: () => ({ path: '/api/audit' }),
  },
  'get /api/log/verification': {
    rule: { who: 'scoped', roles: ['ADMIN', 'AUDITOR'] },
    success: 200,
    call: () => ({ path: '/api/log/verification' }),
  },
  'get /api/reports/sessions': {
    rule: { who: 'scoped', roles: ['ADMIN', 'AUDITOR'] },
    success: 200,
    call: () => ({ path: '/api/reports/sessions?period=2026-Q3&groupBy=commune,language' }),
  },
  'get /api/reports/records': {
    rule: { who: 'scoped', roles: ['ADMIN', 'AUDITOR'] },
    success: 200,
    call: () => ({ path: '/api/reports/records?period=2026-Q3&outcome=held' }),
  },
  'get /api/reports/planned': {
    rule: { who: 'scoped', roles: ['ADMIN', 'AUDITOR'] },
    success: 200,
    call: () => ({ path: '/api/reports/planned?period=2026-Q3' }),
  },
  'post /api/reports/exports': {
    rule: { who: 'scoped', roles: ['ADMIN', 'AUDITOR'] },
    success: 202,
    call: () => ({ path: '/api/reports/exports', body: { format: 'csv', period: '2026-Q3' } }),
  },
  // Only the user who asked for an export reaches it: someone else's (or none) is not found.
  'get /api/reports/exports/:exportId': {
    rule: { who: 'scoped', roles: ['ADMIN', 'AUDITOR'] },
    success: 404,
    call: () => ({ path: `/api/reports/exports/${randomUUID()}` }),
  },
  'get /api/reports/exports/:exportId/file': {
    rule: { who: 'scoped', roles: ['ADMIN', 'AUDITOR'] },
    success: 404,
    call: () => ({ path: `/api/reports/exports/${randomUUID()}/file` }),
  },
  'get /api/market-calendars': {
    rule: { who: 'scoped', roles: ALL },
    success: 200,
    call: () => ({ path: '/api/market-calendars' }),
  },
  'get /api/market-calendars/:calendarId': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: async (w, t) => ({ path: `/api/market-calendars/${await calendarOf(w, t)}` }),
  },
  'post /api/market-calendars': {
    rule: { who: 'commune', roles: CALENDAR_WRITERS },
    success: 201,
    call: (w, t) => ({
      path: '/api/market-calendars',
      body: {
        communeId: communeOf(w, t),
        name: `Chợ ${unique()}`,
        rules: [{ kind: 'branch', branches: ['Tý', 'Ngọ'] }],
      },
    }),
  },
  'patch /api/market-calendars/:calendarId': {
    rule: { who: 'commune', roles: CALENDAR_WRITERS },
    success: 200,
    call: async (w, t) => ({
      path: `/api/market-calendars/${await calendarOf(w, t)}`,
      body: { exceptions: { cancelled: ['2026-03-01'] } },
    }),
  },
  'delete /api/market-calendars/:calendarId': {
    rule: { who: 'commune', roles: CALENDAR_WRITERS },
    success: 204,
    call: async (w, t) => ({ path: `/api/market-calendars/${await calendarOf(w, t)}` }),
  },
  'get /api/market-calendars/:calendarId/occurrences': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: async (w, t) => ({
      path: `/api/market-calendars/${await calendarOf(w, t)}/occurrences?from=2026-01-01&to=2026-01-31`,
    }),
  },
  'get /api/communes/:communeId/market-days': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: (w, t) => ({ path: `/api/communes/${communeOf(w, t)}/market-days` }),
  },
  'get /api/communes/:communeId/market-days.ics': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: (w, t) => ({ path: `/api/communes/${communeOf(w, t)}/market-days.ics` }),
  },
  'get /api/communes/:communeId/market-days/subscription': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: (w, t) => ({ path: `/api/communes/${communeOf(w, t)}/market-days/subscription` }),
  },
  'post /api/communes/:communeId/market-days/subscription/rotate': {
    rule: { who: 'commune', roles: CALENDAR_WRITERS },
    success: 200,
    call: (w, t) => ({ path: `/api/communes/${communeOf(w, t)}/market-days/subscription/rotate` }),
  },
  'get /api/feeds/market-days/:communeId.ics': {
    rule: { who: 'anyone' },
    success: 200,
    call: async (w, t) => {
      const communeId = communeOf(w, t);
      // The rotate case above may have raised the version: read the key the commune has now.
      const { feedKeyVersion } = await w.db.prisma.commune.findUniqueOrThrow({ where: { id: communeId } });
      return {
        path: `/api/feeds/market-days/${communeId}.ics?key=${feedKey(w.deps.secret, communeId, feedKeyVersion)}`,
      };
    },
  },
  'get /api/slots': {
    rule: { who: 'scoped', roles: ALL },
    success: 200,
    call: () => ({ path: '/api/slots' }),
  },
  'get /api/slots/:slotId': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: async (w, t) => ({ path: `/api/slots/${await slotOf(w, t)}` }),
  },
  'post /api/slots': {
    rule: { who: 'commune', roles: SLOT_WRITERS },
    success: 201,
    call: async (w, t) => ({ path: '/api/slots', body: await newSlotBody(w, t) }),
  },
  'patch /api/slots/:slotId': {
    rule: { who: 'commune', roles: SLOT_WRITERS },
    success: 200,
    call: async (w, t) => ({ path: `/api/slots/${await slotOf(w, t)}`, body: { name: 'Bản tin trưa' } }),
  },
  'delete /api/slots/:slotId': {
    rule: { who: 'commune', roles: SLOT_WRITERS },
    success: 204,
    call: async (w, t) => ({ path: `/api/slots/${await slotOf(w, t)}` }),
  },
  'get /api/broadcasts': {
    rule: { who: 'scoped', roles: ALL },
    success: 200,
    call: () => ({ path: '/api/broadcasts' }),
  },
  'get /api/broadcasts/:broadcastId': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: async (w, t) => ({ path: `/api/broadcasts/${await broadcastOf(w, t)}` }),
  },
  'get /api/receivers/media/:broadcastId/:item': {
    rule: { who: 'anyone' },
    success: 200,
    call: async (w, t) => {
      const broadcastId = await broadcastOf(w, t, true);
      const plan = { items: [{ path: `recordings/${broadcastId}.wav` }] };
      await w.db.prisma.broadcast.update({ where: { id: broadcastId }, data: { plan } });
      return { path: signMediaUrl(w.deps.secret, '', { broadcastId, item: 0, exp: Date.now() + 600_000 }) };
    },
  },
  'get /api/broadcasts/:broadcastId/recording': {
    rule: { who: 'commune', roles: ALL },
    success: 200,
    call: async (w, t) => ({ path: `/api/broadcasts/${await broadcastOf(w, t, true)}/recording` }),
  },
  'get /api/board': {
    rule: { who: 'scoped', roles: ALL },
    success: 200,
    call: () => ({ path: '/api/board' }),
  },
  'get /api/board/events': {
    rule: { who: 'scoped', roles: ALL },
    success: 200,
    call: () => ({ path: '/api/board/events' }),
  },
  'post /api/emergencies': {
    rule: { who: 'commune', roles: AIRERS },
    success: 202,
    call: async (w, t) => ({
      path: '/api/emergencies',
      body: {
        bulletinId: await emergencyBulletinOf(w, t),
        clusterIds: [t === 'own' ? w.clusterA : w.clusterB],
        reason: 'Diễn tập phòng cháy',
      },
    }),
  },
  'post /api/clusters/:clusterId/test-tone': {
    rule: { who: 'commune', roles: AIRERS },
    success: 202,
    call: (w, t) => ({ path: `/api/clusters/${t === 'own' ? w.clusterA : w.clusterB}/test-tone` }),
  },
};

/** What a caller must get: the success status, or [status, problem code]. */
function expected(rule: Rule, success: number, caller: Caller, target: Target): number | [number, string] {
  if (rule.who === 'anyone') return success;
  if (caller === 'none') return [401, 'unauthenticated'];
  if (rule.who === 'signed-in') return success;
  const role = ROLE_OF[caller];
  const holds = rule.roles.includes(role);
  if (rule.who === 'global') return holds && caller === 'global-admin' ? success : [403, 'forbidden'];
  if (!holds) return [403, 'forbidden'];
  if (rule.who === 'scoped') return success;
  // commune: every scoped caller here belongs to commune A (province Lai Châu) only.
  const reaches = caller === 'global-admin' || target === 'own';
  return reaches ? success : [404, 'not-found'];
}

let w: TestWorld;
beforeAll(async () => {
  w = await createTestWorld();
  audioFixture = join(w.mediaDir, 'fixture.mp3');
  await generateSpeechLike(audioFixture, { durationSec: 2, container: 'mp3' });
});

/**
 * Reads the body, except of an event stream, which never ends: its first bytes are enough.
 */
function firstBytes(
  res: NodeJS.ReadableStream & { headers: Record<string, string>; destroy(): void },
  done: (err: Error | null, body: unknown) => void,
) {
  let text = '';
  let settled = false;
  const finish = (body: unknown) => {
    if (settled) return;
    settled = true;
    done(null, body);
  };
  res.on('data', (chunk: Buffer) => {
    text += chunk;
    if (String(res.headers['content-type']).startsWith('text/event-stream')) {
      res.destroy();
      finish({});
    }
  });
  res.on('end', () => {
    try {
      finish(text ? JSON.parse(text) : {});
    } catch {
      finish({});
    }
  });
}
afterAll(async () => {
  await w?.close();
});

describe('access matrix', () => {
  it('has a rule for every route the API serves, and no rule for a route that does not exist', () => {
    const served = w.app.locals.routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(served).toEqual(Object.keys(RULES).sort());
  });

  it('answers every route × caller × commune as its rule says', async () => {
    const failures: string[] = [];
    for (const route of w.app.locals.routes) {
      const key = `${route.method} ${route.path}`;
      const rc = RULES[key];
      if (!rc) {
        failures.push(`${key}: no scope rules`);
        continue;
      }
      for (const caller of CALLERS) {
        for (const target of ['own', 'other'] as const) {
          const { path, body, attach } = await rc.call(w, target);
          let call =
            caller === 'none'
              ? request(w.app)[route.method](path)
              : (await signIn(w.app, USERNAME[caller])).send(route.method, path);
          call = attach ? call.attach('file', attach) : body === undefined ? call : call.send(body as object);
          const res = await call
            .timeout(30_000)
            .buffer(true)
            .parse(firstBytes as never);
          const want = expected(rc.rule, rc.success, caller, target);
          const [status, code] = typeof want === 'number' ? [want, undefined] : want;
          if (res.status !== status || (code && res.body.code !== code)) {
            failures.push(
              `${key} as ${caller} on ${target}: want ${status} ${code ?? ''}, got ${res.status} ${res.body?.code ?? ''}`,
            );
          }
          if (code && !String(res.headers['content-type']).startsWith('application/problem+json')) {
            failures.push(`${key} as ${caller}: ${status} is not problem+json`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('lists only the communes, clusters and audit events within the caller’s scope', async () => {
    const officer = await signIn(w.app, 'officer');
    const communes = (await officer.send('get', '/api/communes')).body as { id: string }[];
    expect(communes.map((c) => c.id)).toEqual([w.communeA.id]);
    const clusters = (await officer.send('get', '/api/clusters')).body as { communeId: string }[];
    expect(clusters.length).toBeGreaterThan(0);
    expect(clusters.every((c) => c.communeId === w.communeA.id)).toBe(true);
    const filtered = await officer.send('get', `/api/clusters?communeId=${w.communeB.id}`);
    expect(filtered.body).toEqual([]);

    const admin = await signIn(w.app, 'admin');
    const all = (await admin.send('get', '/api/clusters')).body as { communeId: string }[];
    expect(new Set(all.map((c) => c.communeId))).toEqual(new Set([w.communeA.id, w.communeB.id]));

    const auditor = await signIn(w.app, 'auditor');
    const events = (await auditor.send('get', '/api/audit?limit=500')).body as { communeId: string | null }[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.communeId === w.communeA.id)).toBe(true);
  });
});
