// What the dispatch engine works with: the database, the media files, the drivers, the clock,
// the lateness policy and the cluster lease timings.

import type { EndReason } from '../../domain/dispatch/broadcast-status.ts';
import type { LatenessPolicy } from '../../domain/dispatch/lateness.ts';
import type { MediaStore } from '../../media/store.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import type { Driver } from '../drivers/driver.ts';
import type { Clock } from './clock.ts';
import type { LeaseKeeper } from './lease-keeper.ts';

/** A running airing, as far as a preemption in this process needs it. */
export interface AiringHandle {
  stop(reason: EndReason): void;
}

export interface DispatchDeps {
  db: DbClient;
  store: MediaStore;
  logger: Logger;
  clock: Clock;
  lateness: LatenessPolicy;
  driverFor(kind: string): Driver | undefined;
  /** Cluster leases: renewed this often, expiring after ttl without renewal. */
  lease: { ttlMs: number; renewMs: number };
  /** Renews the leases of this process's airings together. */
  leases: LeaseKeeper;
  /** First retry of a cluster that could not start; doubles up to 30 s. */
  retryMs: number;
  /** How long after its scheduled start a preempted slot broadcast may still air again (0: never). */
  reairWithinMs: number;
  /** Hands broadcasts to be aired now to a dispatcher (the air-now job); unset, they wait for the next dispatch of their instant. */
  airSoon?: (broadcastIds: string[]) => Promise<void>;
  /** Airings in this process, so a preemption here stops them at once. */
  running: Map<string, AiringHandle>;
}
