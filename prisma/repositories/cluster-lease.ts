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

export interface LeaseRequest {
  clusterId: string;
  broadcastId: string;
  priority: Priority;
  ttlMs: number;
}

/** One cluster's lease; null when someone of equal or higher priority holds it. */
export async function acquireLease(db: Db, request: LeaseRequest): Promise<Lease | null> {
  return (await acquireLeases(db, [request])).get(request.broadcastId) ?? null;
}

/**
 * The leases of many clusters in one transaction (an instant of 10,000 clusters took one
 * transaction each, longer than the lead time). At most one request per cluster is asked for:
 * the first of the highest priority; the others get no lease (the cluster is busy). Returns the
 * leases taken, by broadcast.
 */
export async function acquireLeases(db: Db, requests: LeaseRequest[]): Promise<Map<string, Lease>> {
  const taken = new Map<string, Lease>();
  const perCluster = new Map<string, LeaseRequest>();
  for (const r of requests) {
    const first = perCluster.get(r.clusterId);
    if (!first || RANK[r.priority] > RANK[first.priority]) perCluster.set(r.clusterId, r);
  }
  // Locked in one order by everyone, so two workers leasing overlapping clusters cannot deadlock.
  const asked = [...perCluster.values()].sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1));
  for (let i = 0; i < asked.length; i += LEASE_PAGE) {
    const page = asked.slice(i, i + LEASE_PAGE).map((r) => ({ ...r, ttlMs: Math.round(r.ttlMs) }));
    const rows = await inTransaction(db, (tx) => takeLeases(tx, page));
    for (const lease of rows) taken.set(lease.broadcastId, lease);
  }
  return taken;
}

/** Requests per transaction: one JSON parameter, so only the statement's size bounds it. */
const LEASE_PAGE = 2_000;

async function takeLeases(tx: Db, page: LeaseRequest[]) {
  const asked = JSON.stringify(page);
  // The current holders are locked first, in a statement of their own (a row the upsert below
  // changes is invisible to a locking read of the same statement), so "whom did we take it from"
  // is exact under concurrency.
  const held = await tx.$queryRaw<{ clusterId: string; broadcastId: string; live: boolean }[]>`
    SELECT l."clusterId"::text AS "clusterId", l."broadcastId"::text AS "broadcastId",
           l."expiresAt" > now() AS live
    FROM cluster_lease l
    WHERE l."clusterId" IN (SELECT (r->>'clusterId')::uuid FROM jsonb_array_elements(${asked}::jsonb) AS r)
    ORDER BY l."clusterId"
    FOR UPDATE`;
  // The WHERE repeats the rule for a holder that committed after that read (no row to lock yet).
  // A live holder of equal or higher priority keeps its lease: no row comes back.
  const taken = await tx.$queryRaw<{ clusterId: string; broadcastId: string; token: bigint }[]>`
    INSERT INTO cluster_lease ("clusterId", "broadcastId", priority, token, "expiresAt")
    SELECT "clusterId", "broadcastId", priority, 1, now() + "ttlMs" * interval '1 millisecond'
    FROM jsonb_to_recordset(${asked}::jsonb)
      AS r("clusterId" uuid, "broadcastId" uuid, priority "BulletinPriority", "ttlMs" integer)
    ON CONFLICT ("clusterId") DO UPDATE
      SET "broadcastId" = EXCLUDED."broadcastId", priority = EXCLUDED.priority,
          token = cluster_lease.token + 1, "expiresAt" = EXCLUDED."expiresAt"
      WHERE cluster_lease."expiresAt" <= now()
         OR cluster_lease."broadcastId" = EXCLUDED."broadcastId"
         OR cluster_lease.priority < EXCLUDED.priority
    RETURNING "clusterId"::text AS "clusterId", "broadcastId"::text AS "broadcastId", token`;
  const before = new Map(held.map((h) => [h.clusterId, h]));
  return taken.map((t): Lease => {
    const previous = before.get(t.clusterId);
    const preempted = previous?.live && previous.broadcastId !== t.broadcastId ? previous.broadcastId : null;
    return { ...t, preempted };
  });
}

/** Extends the lease while the holder still holds it; false means stop sending now. */
export async function renewLease(db: Db, lease: Lease, ttlMs: number): Promise<boolean> {
  return (await renewLeases(db, [lease], ttlMs)).has(leaseKey(lease));
}

/**
 * Extends many leases in one statement (one per renewal tick for every airing of a process,
 * rather than one each). Returns the leases still held, as `leaseKey`s.
 */
export async function renewLeases(db: Db, leases: Lease[], ttlMs: number): Promise<Set<string>> {
  if (leases.length === 0) return new Set();
  const held = leases.map((l) => ({ clusterId: l.clusterId, token: l.token.toString() }));
  const rows = await db.$queryRaw<{ clusterId: string; token: bigint }[]>`
    UPDATE cluster_lease l SET "expiresAt" = now() + ${ttlMs} * interval '1 millisecond'
    FROM jsonb_to_recordset(${JSON.stringify(held)}::jsonb) AS h("clusterId" uuid, token bigint)
    WHERE l."clusterId" = h."clusterId" AND l.token = h.token
    RETURNING l."clusterId"::text AS "clusterId", l.token`;
  return new Set(rows.map((r) => leaseKey(r)));
}

export const leaseKey = (l: { clusterId: string; token: bigint }) => `${l.clusterId}#${l.token}`;

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
