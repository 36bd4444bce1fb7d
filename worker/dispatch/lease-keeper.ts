// Keeps the cluster leases of every airing in this process, with one renewal statement and one
// progress statement per tick for all of them: a thousand airings each renewing on their own
// timer meant two queries per airing per second, in the event loop that paces their audio.
import type { Logger } from '../../platform/logger.ts';
import { recordProgressMany } from '../../prisma/repositories/broadcasts.ts';
import { type Lease, leaseKey, renewLeases } from '../../prisma/repositories/cluster-lease.ts';
import type { Db } from '../../prisma/repositories/db.ts';

export interface HeldLease {
  lease: Lease;
  /** Seconds aired so far, recorded with each renewal; null before the first audio. */
  progress(): number | null;
  /** The lease was taken (a higher priority, or it expired while the database was away). */
  lost(): void;
}

export class LeaseKeeper {
  private readonly held = new Map<string, HeldLease>();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly db: Db,
    private readonly timing: { ttlMs: number; renewMs: number },
    private readonly logger: Logger,
  ) {}

  /** Renews `held.lease` until the returned function is called. */
  hold(held: HeldLease): () => void {
    const key = leaseKey(held.lease);
    this.held.set(key, held);
    this.timer ??= setInterval(() => void this.renew(), this.timing.renewMs);
    return () => {
      if (this.held.get(key) === held) this.held.delete(key);
      if (this.held.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private async renew(): Promise<void> {
    // A slow database must not stack renewals: the next tick renews whatever is held then.
    if (this.renewing) return;
    this.renewing = true;
    const all = [...this.held.entries()];
    try {
      const still = await renewLeases(
        this.db,
        all.map(([, h]) => h.lease),
        this.timing.ttlMs,
      );
      const progress: { id: string; secondsAired: number }[] = [];
      for (const [key, h] of all) {
        if (!still.has(key)) {
          if (this.held.get(key) === h) h.lost();
          continue;
        }
        const seconds = h.progress();
        if (seconds !== null) progress.push({ id: h.lease.broadcastId, secondsAired: seconds });
      }
      await recordProgressMany(this.db, progress);
    } catch (err) {
      // The database being away is no reason to cut a running bulletin; the lease says who may air.
      this.logger.warn({ module: 'dispatch', err: (err as Error).message }, 'lease renewal failed');
    } finally {
      this.renewing = false;
    }
  }
}
