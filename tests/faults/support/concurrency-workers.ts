// A second dispatching worker on the same PostgreSQL database as a dispatch world: its own
// connection pool, its own lease keeper and running airings, the same media directory and clock
// — what a second worker process has, in this process so a test can interleave the two exactly.

import { MediaStore } from '../../../media/store.ts';
import { loadConfig } from '../../../platform/config.ts';
import { createLogger } from '../../../platform/logger.ts';
import { openDatabase } from '../../../prisma/database.ts';
import type { Clock } from '../../../worker/dispatch/clock.ts';
import { createDispatchDeps } from '../../../worker/dispatch/context.ts';
import type { DispatchDeps } from '../../../worker/dispatch/deps.ts';
import { createDrivers } from '../../../worker/drivers/registry.ts';
import type { DispatchWorld } from '../../integration/dispatch/world.ts';

export interface OtherWorker {
  deps: DispatchDeps;
  db: DispatchDeps['db'];
  close(): Promise<void>;
}

export async function otherWorker(world: DispatchWorld, clock: Clock): Promise<OtherWorker> {
  const target = world.db.target;
  if (target.kind !== 'postgres') throw new Error('a second worker needs a PostgreSQL server');
  const database = await openDatabase(target);
  const config = loadConfig({ LOA_DATA_DIR: world.dataDir, LOG_LEVEL: 'silent' });
  const deps = createDispatchDeps({
    config,
    db: database.prisma,
    store: new MediaStore(config.mediaDir),
    logger: createLogger('silent'),
    drivers: createDrivers(config),
    clock,
  });
  deps.lateness = world.deps.lateness;
  deps.retryMs = world.deps.retryMs;
  return { deps, db: database.prisma, close: () => database.close() };
}

/**
 * `db` with one model method hooked: `before` is awaited before each call (the test decides
 * which of two concurrent workers gets there first), `after` hears each call's end — e.g. a
 * materialiser that has read the rows but is held before writing them, while a dispatcher
 * claims them.
 */
export function hooked<T extends object>(
  db: T,
  model: string,
  method: string,
  hooks: { before?: () => Promise<void>; after?: () => void },
): T {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== model) return typeof value === 'function' ? value.bind(target) : value;
      return new Proxy(value as object, {
        get(delegate, name) {
          const fn = Reflect.get(delegate, name, delegate);
          if (typeof fn !== 'function') return fn;
          if (name !== method) return fn.bind(delegate);
          return async (...args: unknown[]) => {
            await hooks.before?.();
            const result = await fn.apply(delegate, args);
            hooks.after?.();
            return result;
          };
        },
      });
    },
  });
}
