// Brings up the whole of Loa in one process for a single machine: Redis (private child unless
// REDIS_URL), the database (PGlite unless DATABASE_URL) with migrations and demo data, the
// API with the web app, and the workers. `stop()` takes it all down in reverse order.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { type Config, databaseTarget } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { WEB_DIST } from '../platform/paths.ts';
import { openRedis } from '../platform/redis.ts';
import { type Database, openDatabase } from '../prisma/database.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { DEMO_COMMUNE, type SeedResult, seedDemo } from '../prisma/seed.ts';
import { composeApp } from '../server/compose.ts';
import { serve } from '../server/http/serve.ts';
import { startWorkers } from '../worker/main.ts';
import { tryCreateDemoBulletin } from './demo-bulletin.ts';
import { startRedisChild } from './redis-child.ts';

export interface RunningLoa {
  url: string;
  seed: SeedResult;
  database: Database;
  stop(): Promise<void>;
}

export async function startLoa(config: Config, logger: Logger): Promise<RunningLoa> {
  const stack: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    while (stack.length > 0)
      await stack
        .pop()?.()
        .catch((err) => logger.error({ err }, 'stop failed'));
  };
  try {
    let redisUrl = config.REDIS_URL;
    if (!redisUrl) {
      const child = await startRedisChild(join(config.dataDir, 'redis'));
      stack.push(() => child.stop());
      redisUrl = child.url;
      logger.info({ module: 'redis', port: child.port }, 'private redis-server started');
    }
    const database = await openDatabase(databaseTarget(config));
    stack.push(() => database.close());
    const applied = await applyMigrations(database.adapterFactory);
    if (applied.length > 0) logger.info({ module: 'db', applied }, 'migrations applied');
    const seed = config.LOA_SEED_DEMO
      ? await seedDemo(database.prisma, { password: config.LOA_DEMO_PASSWORD })
      : { created: [] };

    const { app, close } = await composeApp(config, logger, database, redisUrl, WEB_DIST);
    stack.push(close);
    const server = await serve(app, config.PORT, config.HOST);
    stack.push(() => closeServer(server));

    const workerConnection = openRedis(redisUrl, 'worker');
    stack.push(() => closeRedis(workerConnection));
    const workers = await startWorkers(
      { config, logger, db: database.prisma },
      workerConnection,
      config.WORKER_QUEUES,
    );
    stack.push(() => workers.close());

    if (config.LOA_SEED_DEMO) {
      // The officer's password is known only when the demo users were just made (or it is set).
      const password =
        seed.created.find((u) => u.username === 'officer')?.password ?? config.LOA_DEMO_PASSWORD;
      // In the background, so start-up does not wait for it; stopping does.
      const demo = tryCreateDemoBulletin(
        localUrl(server.address() as AddressInfo),
        password === undefined ? undefined : { username: 'officer', password },
        DEMO_COMMUNE.code,
        logger,
      );
      stack.push(() => demo);
    }

    const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    return { url: `http://${shownHost}:${config.PORT}`, seed, database, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** How this process reaches its own server: loopback when it listens on every address. */
function localUrl({ address, family, port }: AddressInfo): string {
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return `http://${family === 'IPv6' && host !== '127.0.0.1' ? `[${host}]` : host}:${port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}

async function closeRedis(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
