// Demo data for a first run: one border commune with two loudspeaker clusters, a market
// calendar, the languages a bulletin can be in, and one user per role. Idempotent: records
// are found by their natural keys, and an existing user's password is never changed.
import { hashPassword, randomPassword } from '../platform/password.ts';
import type { PrismaClient } from './generated/client.ts';
import type { Role } from './generated/enums.ts';

export const LANGUAGES = [
  { code: 'vie', nameVi: 'Tiếng Việt (phổ thông)', nameEn: 'Vietnamese' },
  { code: 'hmn', nameVi: 'Tiếng Mông', nameEn: 'Hmong' },
  { code: 'blt', nameVi: 'Tiếng Thái (Thái Đen)', nameEn: 'Tai Dam (Black Tai)' },
  { code: 'twh', nameVi: 'Tiếng Thái (Thái Trắng)', nameEn: 'Tai Dón (White Tai)' },
  { code: 'hni', nameVi: 'Tiếng Hà Nhì', nameEn: 'Hani' },
  { code: 'ium', nameVi: 'Tiếng Dao', nameEn: 'Iu Mien (Dao)' },
  { code: 'tyz', nameVi: 'Tiếng Tày', nameEn: 'Tày' },
  { code: 'nut', nameVi: 'Tiếng Nùng', nameEn: 'Nùng' },
  { code: 'khm', nameVi: 'Tiếng Khmer', nameEn: 'Khmer' },
  { code: 'lao', nameVi: 'Tiếng Lào', nameEn: 'Lao' },
];

export const DEMO_COMMUNE = {
  code: '99001',
  name: 'Xã Dào San (dữ liệu mẫu)',
  province: 'Lai Châu',
  timeZone: 'Asia/Ho_Chi_Minh',
  languages: ['vie', 'hmn', 'hni'],
};

const DEMO_CLUSTERS = [
  { name: 'Cụm loa trung tâm xã', location: 'Chợ Dào San', latitude: 22.574, longitude: 103.374 },
  { name: 'Cụm loa bản Tả Phìn', location: 'Nhà văn hoá bản Tả Phìn', latitude: 22.589, longitude: 103.351 },
];

/**
 * The demo's 4G cluster: a smart receiver over MQTT (store-and-forward). Seeded apart from the
 * others, only where `npm start` runs a private broker and a simulated receiver for it, so a
 * demo without mosquitto has no cluster that can never air.
 */
export const DEMO_RECEIVER_CLUSTER = {
  name: 'Cụm loa 4G bản Sì Choang',
  location: 'Điểm trường bản Sì Choang (bộ thu 4G mô phỏng)',
  latitude: 22.561,
  longitude: 103.402,
};

const DEMO_CALENDAR = {
  name: 'Chợ phiên Dào San',
  rules: [{ kind: 'weekdays', days: ['SU'] }],
  exceptions: { cancelled: [], added: [], moved: [] },
  // No market from lunar 1/1 through 1/3 (the public market-calendar format).
  tetPolicy: { closedThroughDay: 3, dailyBeforeTet: 0 },
};

export const DEMO_USERS: { username: string; displayName: string; role: Role }[] = [
  { username: 'admin', displayName: 'Quản trị hệ thống', role: 'ADMIN' },
  { username: 'officer', displayName: 'Cán bộ văn hoá xã', role: 'OFFICER' },
  { username: 'scheduler', displayName: 'Cán bộ lập lịch phát', role: 'SCHEDULER' },
  { username: 'auditor', displayName: 'Thanh tra Sở TT&TT', role: 'AUDITOR' },
];

export interface SeedResult {
  /** Passwords of the users created by this run (printed once, never stored in clear). */
  created: { username: string; password: string }[];
}

export async function seedDemo(
  prisma: PrismaClient,
  options: { password?: string } = {},
): Promise<SeedResult> {
  for (const language of LANGUAGES) {
    await prisma.language.upsert({ where: { code: language.code }, create: language, update: {} });
  }
  const commune = await prisma.commune.upsert({
    where: { code: DEMO_COMMUNE.code },
    create: DEMO_COMMUNE,
    update: {},
  });
  for (const cluster of DEMO_CLUSTERS) {
    await prisma.cluster.upsert({
      where: { communeId_name: { communeId: commune.id, name: cluster.name } },
      create: { ...cluster, communeId: commune.id, driverKind: 'RECORDER', driverConfig: {} },
      update: {},
    });
  }
  await prisma.marketCalendar.upsert({
    where: { communeId_name: { communeId: commune.id, name: DEMO_CALENDAR.name } },
    create: { ...DEMO_CALENDAR, communeId: commune.id },
    update: {},
  });

  const created: SeedResult['created'] = [];
  for (const user of DEMO_USERS) {
    if (await prisma.user.findUnique({ where: { username: user.username } })) continue;
    const password = options.password ?? randomPassword();
    await prisma.user.create({
      data: {
        username: user.username,
        displayName: user.displayName,
        passwordHash: await hashPassword(password),
        // Admins see everything; the others work in the demo commune.
        roles: { create: { role: user.role, communeId: user.role === 'ADMIN' ? null : commune.id } },
      },
    });
    created.push({ username: user.username, password });
  }
  return { created };
}

/** The demo 4G cluster in the demo commune (idempotent); its id, or null without the demo commune. */
export async function seedDemoReceiverCluster(prisma: PrismaClient): Promise<string | null> {
  const commune = await prisma.commune.findUnique({
    where: { code: DEMO_COMMUNE.code },
    select: { id: true },
  });
  if (!commune) return null;
  const cluster = await prisma.cluster.upsert({
    where: { communeId_name: { communeId: commune.id, name: DEMO_RECEIVER_CLUSTER.name } },
    create: { ...DEMO_RECEIVER_CLUSTER, communeId: commune.id, driverKind: 'MQTT', driverConfig: {} },
    update: {},
    select: { id: true },
  });
  return cluster.id;
}

/**
 * What the on-start test airing of the demo needs: the demo admin (who triggers it) and the demo
 * clusters — or null once the demo commune has aired anything (only a first start airs it).
 */
export async function demoAiringTargets(
  prisma: PrismaClient,
): Promise<{ adminId: string; clusterIds: string[] } | null> {
  const commune = await prisma.commune.findUnique({
    where: { code: DEMO_COMMUNE.code },
    select: {
      id: true,
      clusters: { where: { enabled: true }, select: { id: true }, orderBy: { name: 'asc' } },
    },
  });
  const admin = await prisma.user.findUnique({ where: { username: 'admin' }, select: { id: true } });
  if (!commune || !admin) return null;
  if ((await prisma.broadcast.count({ where: { communeId: commune.id } })) > 0) return null;
  return { adminId: admin.id, clusterIds: commune.clusters.map((c) => c.id) };
}
