// A real Loa API for tests: PGlite migrated and seeded, real Redis (own key prefix), real
// ffmpeg. Two communes in two provinces, so every scope rule has an "own" and an "other".
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { inject } from 'vitest';
import { toolVersion } from '../../media/ffmpeg-runner.ts';
import { MediaStore } from '../../media/store.ts';
import { createLogger } from '../../platform/logger.ts';
import { hashPassword } from '../../platform/password.ts';
import { openRedis } from '../../platform/redis.ts';
import { pingDatabase } from '../../prisma/repositories/readiness.ts';
import { DEMO_COMMUNE, seedDemo } from '../../prisma/seed.ts';
import { type AppDeps, createApp, type LoaApp } from '../../server/app.ts';
import { ProgressFeed } from '../../server/modules/bulletins/progress-feed.ts';
import { createJobProducer } from '../../worker/jobs/producer.ts';
import { pgliteKind, type TestDatabaseKind } from './databases.ts';

export const PASSWORD = 'test-password-123';

export type TestDb = Awaited<ReturnType<typeof pgliteKind.open>>;

export interface TestWorld {
  app: LoaApp;
  deps: AppDeps;
  db: TestDb;
  redis: Redis;
  prefix: string;
  communeA: { id: string; province: string };
  communeB: { id: string; province: string };
  clusterA: string;
  clusterB: string;
  /** LOA_DATA_DIR for a worker sharing this world's media. */
  dataDir: string;
  mediaDir: string;
  close(): Promise<void>;
}

export async function createTestWorld(
  overrides: Partial<AppDeps> = {},
  /** PGlite unless given (the fault suite stops a PostgreSQL server under the API). */
  database: TestDatabaseKind = pgliteKind,
): Promise<TestWorld> {
  const db = await database.openMigrated();
  await seedDemo(db.prisma, { password: PASSWORD });
  const prisma = db.prisma;
  const communeA = await prisma.commune.findUniqueOrThrow({ where: { code: DEMO_COMMUNE.code } });
  const communeB = await prisma.commune.create({
    data: { code: '99002', name: 'Xã Lũng Cú (thử)', province: 'Tuyên Quang', languages: ['vie', 'hmn'] },
  });
  const clusterA = await prisma.cluster.findFirstOrThrow({ where: { communeId: communeA.id } });
  const clusterB = await prisma.cluster.create({ data: { communeId: communeB.id, name: 'Cụm loa cột cờ' } });
  const passwordHash = await hashPassword(PASSWORD);
  await prisma.user.create({
    data: {
      username: 'province-admin',
      displayName: 'Quản trị tỉnh Lai Châu',
      passwordHash,
      roles: { create: { role: 'ADMIN', province: communeA.province } },
    },
  });
  const redis = openRedis(inject('redisUrl'), 'producer');
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  // Laid out as LOA_DATA_DIR is, so a worker given LOA_DATA_DIR=dataDir shares the media.
  const dataDir = await mkdtemp(join(tmpdir(), 'loa-data-'));
  const mediaDir = join(dataDir, 'media');
  await mkdir(mediaDir, { recursive: true });
  const jobs = createJobProducer(openRedis(inject('redisUrl'), 'producer'), prefix);
  const feed = new ProgressFeed(() => openRedis(inject('redisUrl'), 'worker'), prefix);
  const deps: AppDeps = {
    logger: createLogger('silent'),
    db: prisma,
    redis,
    redisPrefix: prefix,
    secret: 'test-secret-test-secret-test-secret',
    readinessChecks: {
      database: () => pingDatabase(prisma),
      redis: () => redis.ping(),
      ffmpeg: () => toolVersion('ffmpeg'),
    },
    store: new MediaStore(mediaDir),
    jobs,
    feed,
    limits: { maxUploadBytes: 200e6, maxAudioSec: 30 * 60 },
    ...overrides,
  };
  const app = createApp(deps);
  return {
    app,
    deps,
    db,
    redis,
    prefix,
    communeA: { id: communeA.id, province: communeA.province },
    communeB: { id: communeB.id, province: communeB.province },
    clusterA: clusterA.id,
    clusterB: clusterB.id,
    dataDir,
    mediaDir,
    close: async () => {
      await feed.close();
      await jobs.close();
      redis.disconnect();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser-like client: keeps cookies and sends the CSRF token on state changes. */
export interface SignedIn {
  agent: ReturnType<typeof request.agent>;
  csrf: string;
  send(method: string, path: string, body?: unknown): request.Test;
}

export async function signIn(app: LoaApp, username: string, password = PASSWORD): Promise<SignedIn> {
  const agent = request.agent(app);
  const res = await agent.post('/api/auth/login').send({ username, password });
  if (res.status !== 200)
    throw new Error(`sign-in as ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  const csrf = res.body.csrfToken as string;
  return {
    agent,
    csrf,
    send: (method, path, body) => {
      const call = agent[method.toLowerCase() as 'get'](path).set('x-csrf-token', csrf);
      return body === undefined ? call : call.send(body as object);
    },
  };
}
