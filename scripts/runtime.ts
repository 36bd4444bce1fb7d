// Brings up the whole of Loa in one process for a single machine: Redis (private child unless
// REDIS_URL), the database (PGlite unless DATABASE_URL) with migrations and demo data, the
// API with the web app, and the workers. `stop()` takes it all down in reverse order, Redis
// last (it is in its own process group, so a terminal's Ctrl-C does not take it away from the
// API and workers while they close); `kill()` ends it all at once.
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { MediaStore } from '../media/store.ts';
import { type Config, databaseTarget } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { WEB_DIST } from '../platform/paths.ts';
import { openRedis, stopRedisRetries } from '../platform/redis.ts';
import { type Database, openDatabase } from '../prisma/database.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { DEMO_COMMUNE, type SeedResult, seedDemo, seedDemoReceiverCluster } from '../prisma/seed.ts';
import { composeApp } from '../server/compose.ts';
import { serve } from '../server/http/serve.ts';
import { createJobProducer } from '../worker/jobs/producer.ts';
import { startWorkers } from '../worker/main.ts';
import { airDemoTestTones } from './demo-airing.ts';
import { tryCreateDemoBulletin } from './demo-bulletin.ts';
import { startDemoReceiver } from './demo-receiver.ts';
import { mosquittoInstalled } from './mosquitto-child.ts';
import { startPrivateBroker } from './private-broker.ts';
import { type RedisChild, startRedisChild } from './redis-child.ts';

export interface RunningLoa {
  url: string;
  seed: SeedResult;
  database: Database;
}

export interface Loa {
  /** Everything is up; rejects when start-up failed or `stop()` came first (after undoing it). */
  ready: Promise<RunningLoa>;
  /** Stops what has started, in reverse order (at any time, start-up included); idempotent. */
  stop(): Promise<void>;
  /** At once: SIGKILL to every process Loa started, SIGTERM to its Redis (SIGKILL after 0.5 s). */
  kill(): Promise<void>;
}

/** Thrown by `ready` when a stop interrupted start-up. */
export class StartInterrupted extends Error {
  constructor() {
    super('start-up interrupted by a stop');
  }
}

export function launchLoa(
  config: Config,
  logger: Logger,
  hooks: { onSeeded?: (seed: SeedResult) => void } = {},
): Loa {
  const stack: (() => Promise<unknown>)[] = [];
  const stopping = new AbortController();
  let redisChild: RedisChild | undefined;
  let unwinding: Promise<void> | undefined;
  const unwind = () => {
    unwinding ??= (async () => {
      while (stack.length > 0)
        await stack
          .pop()?.()
          .catch((err) => logger.error({ err }, 'stop failed'));
    })();
    return unwinding;
  };
  // Each step registers its undoing before the next step checks for a stop.
  const step = () => {
    if (stopping.signal.aborted) throw new StartInterrupted();
  };
  const ready = (async (): Promise<RunningLoa> => {
    let redisUrl = config.REDIS_URL;
    if (!redisUrl) {
      const child = await startRedisChild(join(config.dataDir, 'redis'));
      redisChild = child;
      stack.push(() => child.stop());
      redisUrl = child.url;
      logger.info({ module: 'redis', port: child.port }, 'private redis-server started');
    }
    step();
    const database = await openDatabase(databaseTarget(config));
    stack.push(() => database.close());
    step();
    const applied = await applyMigrations(database.adapterFactory);
    if (applied.length > 0) logger.info({ module: 'db', applied }, 'migrations applied');
    const seed = config.LOA_SEED_DEMO
      ? await seedDemo(database.prisma, { password: config.LOA_DEMO_PASSWORD })
      : { created: [] };
    // Told at once: passwords are shown only once, even if a stop comes before Loa is up.
    hooks.onSeeded?.(seed);
    step();

    const { app, close } = await composeApp(config, logger, database, redisUrl, WEB_DIST);
    stack.push(close);
    const server = await serve(app, config.PORT, config.HOST);
    stack.push(() => closeServer(server));
    step();

    // The 4G receivers' broker: a private mosquitto unless LOA_MQTT_URL names one (none if not installed).
    let workerConfig = config;
    if (!config.LOA_MQTT_URL) {
      // The demo's 4G cluster exists before the broker starts, so its login is in the broker's files.
      const demoReceiverCluster = await demoReceiverClusterFor(config, database, logger);
      const broker = await startPrivateBroker(config, database.prisma, logger).catch((err: Error) => {
        logger.warn({ module: 'mqtt', err: err.message }, 'no private MQTT broker: 4G receivers unreachable');
        return null;
      });
      if (broker) {
        stack.push(() => broker.stop());
        workerConfig = { ...config, LOA_MQTT_URL: broker.url };
        logger.info({ module: 'mqtt', port: broker.port }, 'private mosquitto started');
        if (demoReceiverCluster) {
          const receiver = await startDemoReceiver(config, demoReceiverCluster, broker.url, logger);
          stack.push(() => receiver.stop());
        }
      }
    }
    step();

    const workerConnection = openRedis(redisUrl, 'worker');
    stack.push(() => closeRedis(workerConnection));
    const workers = await startWorkers(
      { config: workerConfig, logger, db: database.prisma },
      workerConnection,
      config.WORKER_QUEUES,
    );
    stack.push(() => workers.close());
    step();

    if (config.LOA_SEED_DEMO) {
      // The officer's password is known only when the demo users were just made (or it is set).
      const password =
        seed.created.find((u) => u.username === 'officer')?.password ?? config.LOA_DEMO_PASSWORD;
      // In the background, so start-up does not wait for it; stopping does.
      // A stop abandons it (its requests are cut); the next start finishes what it left.
      const demoStop = new AbortController();
      const demo = tryCreateDemoBulletin(
        localUrl(server.address() as AddressInfo),
        password === undefined ? undefined : { username: 'officer', password },
        DEMO_COMMUNE.code,
        logger,
        demoStop.signal,
      );
      stack.push(() => {
        demoStop.abort();
        return demo;
      });
      const jobs = createJobProducer(openRedis(redisUrl, 'producer'), config.REDIS_PREFIX);
      stack.push(() => jobs.close());
      const tones = airDemoTestTones({
        db: database.prisma,
        store: new MediaStore(config.mediaDir),
        jobs,
        logger,
      }).catch((err: Error) => logger.warn({ module: 'demo', err: err.message }, 'demo test tone not sent'));
      stack.push(() => tones);
    }

    const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    return { url: `http://${shownHost}:${config.PORT}`, seed, database };
  })();
  const started = ready.catch(async (err) => {
    await unwind();
    throw err;
  });
  // The caller hears of a failed start through `ready`; nothing is left unhandled meanwhile.
  started.catch(() => {});
  return {
    ready: started,
    stop: async () => {
      // Whatever drops from now on is not reconnected: closing must not wait on a retry loop.
      stopRedisRetries();
      stopping.abort();
      await started.catch(() => {});
      await unwind();
    },
    kill: async () => {
      stopRedisRetries();
      stopping.abort();
      const redisPid = redisChild?.process.pid;
      for (const pid of descendants(process.pid).filter((p) => p !== redisPid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await redisChild?.kill(500);
    },
  };
}

/** The demo 4G cluster (seeded now) when the demo runs a private mosquitto; else null, said once. */
async function demoReceiverClusterFor(config: Config, database: Database, logger: Logger) {
  if (!config.LOA_SEED_DEMO) return null;
  if (!mosquittoInstalled()) {
    logger.warn(
      { module: 'demo' },
      'mosquitto is not installed: the demo has no simulated 4G receiver cluster',
    );
    return null;
  }
  return seedDemoReceiverCluster(database.prisma);
}

/** Every process below `root` (children, their children…), from /proc; none where there is no /proc. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        // "pid (comm) state ppid …": comm may hold spaces and parentheses.
        parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return [];
  }
  const found: number[] = [];
  let level = [root];
  while (level.length > 0) {
    level = [...parentOf].filter(([, ppid]) => level.includes(ppid)).map(([pid]) => pid);
    found.push(...level);
  }
  return found;
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
