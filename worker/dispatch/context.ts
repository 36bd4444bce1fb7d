// What the dispatch jobs need, built once per worker process from the configuration.
import type { MediaStore } from '../../media/store.ts';
import type { Config } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import type { Driver } from '../drivers/driver.ts';
import { type Clock, systemClock, watchSteps } from './clock.ts';
import type { DispatchDeps } from './deps.ts';
import { LeaseKeeper } from './lease-keeper.ts';

/** A renewal every second; three missed renewals and the lease is free (a crashed worker). */
const LEASE = { ttlMs: 3_000, renewMs: 1_000 } as const;

export interface DispatchSettings {
  leadMs: number;
  horizonMs: number;
}

export function dispatchSettings(config: Config): DispatchSettings {
  return {
    leadMs: config.LOA_DISPATCH_LEAD_SEC * 1000,
    horizonMs: config.LOA_DISPATCH_HORIZON_HOURS * 3600_000,
  };
}

export function createDispatchDeps(options: {
  config: Config;
  db: DbClient;
  store: MediaStore;
  logger: Logger;
  drivers: ReadonlyMap<string, Driver>;
  clock?: Clock;
}): DispatchDeps {
  return {
    db: options.db,
    store: options.store,
    logger: options.logger,
    // A step of the wall clock is followed (waits re-read it) and logged, with its size.
    clock: watchSteps(options.clock ?? systemClock, (stepMs) =>
      options.logger.warn({ module: 'dispatch', stepMs }, 'wall clock stepped'),
    ),
    lateness: { maxLateMs: options.config.LOA_DISPATCH_MAX_LATE_SEC * 1000 },
    driverFor: (kind) => options.drivers.get(kind),
    lease: LEASE,
    leases: new LeaseKeeper(options.db, LEASE, options.logger),
    retryMs: 1_000,
    reairWithinMs: options.config.LOA_PREEMPTED_REAIR_MIN * 60_000,
    running: new Map(),
  };
}
