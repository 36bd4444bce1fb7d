// One airing at a time per cluster. The lease row names its holder and a fencing token that
// grows by one with every new holder; the holder renews it while sending and stops when a
// renewal fails, so a stale holder (a paused or partitioned worker) cannot keep sending after
// someone else took over. A higher priority takes the lease from a lower one (Thông tư 39:
// an emergency preempts); equal or lower priorities wait until it is free or expired.
// Expiry uses the database's clock, the one clock every worker shares.
import type { Priority } from '../../domain/priority.ts';
import { type Db, inTransaction } from './db.ts';

export interface Lease {
  clusterId: string;
  broadcastId: string;
  token: bigint;
  /** The holder it was taken from, when it was taken by priority before it expired. */
  preempted: string | null;
}

const RANK: Record<Priority, number> = { NORMAL: 0, PRIORITY: 1, EMERGENCY: 2 };

export async function acquireLease(
  db: Db,
  request: { clusterId: string; broadcastId: string; priority: Priority; ttlMs: number },
): Promise<Lease | null> {
  const { clusterId, broadcastId, priority, ttlMs } = request;
  return inTransaction(db, async (tx) => {
    // Lock the current holder's row, so "whom did we take it from" is exact under concurrency.
    const [holder] = await tx.$queryRaw<{ broadcastId: string; priority: Priority; live: boolean }[]>`
      SELECT "broadcastId"::text AS "broadcastId", priority::text AS priority, "expiresAt" > now() AS live
      FROM cluster_lease WHERE "clusterId" = ${clusterId}::uuid FOR UPDATE`;
    const other = holder?.live && holder.broadcastId !== broadcastId ? holder : undefined;
    if (other && RANK[other.priority] >= RANK[priority]) return null;
    // The WHERE repeats the rule for a holder that committed after our read (no row to lock yet).
    const rows = await tx.$queryRaw<{ token: bigint }[]>`
      INSERT INTO cluster_lease ("clusterId", "broadcastId", priority, token, "expiresAt")
      VALUES (${clusterId}::uuid, ${broadcastId}::uuid, ${priority}::"BulletinPriority", 1,
              now() + ${ttlMs} * interval '1 millisecond')
      ON CONFLICT ("clusterId") DO UPDATE
        SET "broadcastId" = EXCLUDED."broadcastId", priority = EXCLUDED.priority,
            token = cluster_lease.token + 1, "expiresAt" = EXCLUDED."expiresAt"
        WHERE cluster_lease."expiresAt" <= now()
           OR cluster_lease."broadcastId" = EXCLUDED."broadcastId"
           OR cluster_lease.priority < EXCLUDED.priority
      RETURNING token`;
    const token = rows[0]?.token;
    return token === undefined
      ? null
      : { clusterId, broadcastId, token, preempted: other?.broadcastId ?? null };
  });
}

/** Extends the lease while the holder still holds it; false means stop sending now. */
export async function renewLease(db: Db, lease: Lease, ttlMs: number): Promise<boolean> {
  const count = await db.$executeRaw`
    UPDATE cluster_lease SET "expiresAt" = now() + ${ttlMs} * interval '1 millisecond'
    WHERE "clusterId" = ${lease.clusterId}::uuid AND token = ${lease.token}`;
  return count === 1;
}

export async function releaseLease(db: Db, lease: Lease): Promise<void> {
  await db.$executeRaw`
    DELETE FROM cluster_lease WHERE "clusterId" = ${lease.clusterId}::uuid AND token = ${lease.token}`;
}

/** Who holds a cluster now (an unexpired lease, by the database's clock), if anyone. */
export async function leaseHolder(db: Db, clusterId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ broadcastId: string }[]>`
    SELECT "broadcastId"::text AS "broadcastId" FROM cluster_lease
    WHERE "clusterId" = ${clusterId}::uuid AND "expiresAt" > now()`;
  return rows[0]?.broadcastId ?? null;
}
