// What the operations metrics (GET /metrics) read from the database: aggregates only, each one
// statement, so a scrape costs a few index scans whatever the number of clusters or broadcasts.
import { BROADCAST_STATUSES, isTerminal } from '../../domain/dispatch/broadcast-status.ts';
import { Prisma } from '../generated/client.ts';
import type { Db } from './db.ts';

const ENDED = BROADCAST_STATUSES.filter(isTerminal);

/** Enabled clusters by what Loa last observed of them; no health row yet counts as UNKNOWN. */
export async function clusterStateCounts(db: Db): Promise<{ state: string; count: number }[]> {
  const rows = await db.$queryRaw<{ state: string; count: number }[]>`
    SELECT coalesce(h."state"::text, 'UNKNOWN') AS "state", count(*)::int AS "count"
    FROM "cluster" c LEFT JOIN "cluster_health" h ON h."clusterId" = c."id"
    WHERE c."enabled"
    GROUP BY 1`;
  return rows;
}

/** Every broadcast that ended, ever, by terminal status and kind (slot, emergency, test). */
export async function endedBroadcastCounts(
  db: Db,
): Promise<{ status: string; kind: string; count: number }[]> {
  const rows = await db.broadcast.groupBy({
    by: ['status', 'kind'],
    where: { status: { in: ENDED } },
    _count: { _all: true },
  });
  return rows.map((r) => ({ status: r.status, kind: r.kind, count: r._count._all }));
}

/**
 * Broadcasts scheduled since `since` that ended, by the programme (chuyên mục) of the bulletins
 * they aired and status. A broadcast airing bulletins of two programmes counts once for each;
 * one with no bulletin (a test tone) or a bulletin with no programme has programme ''.
 */
export async function endedByProgramme(
  db: Db,
  since: Date,
): Promise<{ programme: string; status: string; count: number }[]> {
  return db.$queryRaw<{ programme: string; status: string; count: number }[]>`
    SELECT coalesce(b."programme", '') AS "programme", br."status"::text AS "status",
           count(DISTINCT br."id")::int AS "count"
    FROM "broadcast" br
    LEFT JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(br."plan"->'items') = 'array' THEN br."plan"->'items' ELSE '[]'::jsonb END
    ) AS item ON true
    LEFT JOIN "bulletin" b ON b."id"::text = item->>'bulletinId'
    WHERE br."scheduledAt" >= ${since}
      AND br."status"::text IN (${Prisma.join(ENDED)})
    GROUP BY 1, 2`;
}

export interface BucketCounts {
  /** Cumulative: buckets[i] = how many values are ≤ bounds[i]. */
  buckets: number[];
  count: number;
  sum: number;
}

/** Start skews (ms) of the broadcasts scheduled since `since` that started, in cumulative buckets. */
export async function startSkewBuckets(
  db: Db,
  since: Date,
  boundsMs: readonly number[],
): Promise<BucketCounts> {
  const perBucket = boundsMs.map(
    (le, i) => Prisma.sql`count(*) FILTER (WHERE "skewMs" <= ${le})::int AS ${Prisma.raw(`"b${i}"`)}`,
  );
  const [row] = await db.$queryRaw<Record<string, number>[]>`
    SELECT count(*)::int AS "count", coalesce(sum("skewMs"), 0)::float8 AS "sum", ${Prisma.join(perBucket)}
    FROM "broadcast"
    WHERE "scheduledAt" >= ${since} AND "skewMs" IS NOT NULL`;
  return {
    buckets: boundsMs.map((_, i) => Number(row?.[`b${i}`] ?? 0)),
    count: Number(row?.count ?? 0),
    sum: Number(row?.sum ?? 0),
  };
}
