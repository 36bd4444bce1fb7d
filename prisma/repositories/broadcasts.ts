// The only code that writes broadcast rows. Materialisation syncs the planned rows of a window
// with what the plan says; dispatch moves each row through its states, every move a
// compare-and-set (`updateMany … where status in (…)`, count checked), so a lost race is a no-op.
import pLimit, { type LimitFunction } from 'p-limit';
import { type BroadcastStatus, isTerminal, movableFrom } from '../../domain/dispatch/broadcast-status.ts';
import type { PlanItem, PlannedBroadcast } from '../../domain/dispatch/materialise.ts';
import type { DriverKind, Prisma } from '../generated/client.ts';
import type { Db } from './db.ts';
import { recordEnded, recordStarted } from './session-records.ts';

export interface BroadcastPlan {
  items: PlanItem[];
}

const keyOf = (slotId: string | null, clusterId: string, at: Date) =>
  `${slotId}|${clusterId}|${at.getTime()}`;

/** What makes two plans of one occurrence × cluster air differently. */
function planSignature(p: { priority: string; profileId: string; plan: unknown }): string {
  const items = (p.plan as BroadcastPlan).items.map((i) => [i.renditionId, i.gapBeforeSec ?? 0]);
  return JSON.stringify([p.priority, p.profileId, items]);
}

/**
 * Makes the planned broadcasts of `slotIds` in [from, to) match `planned`: missing ones created,
 * changed ones re-planned, ones no longer planned removed — only while still PLANNED, so an
 * airing that has started is never touched.
 */
export async function syncPlanned(
  db: Db,
  slotIds: string[],
  window: { from: Date; to: Date },
  planned: PlannedBroadcast[],
): Promise<{ created: number; updated: number; removed: number }> {
  const existing = await db.broadcast.findMany({
    // Re-airs of a preempted occurrence (requestId = the preempted row) are not the plan's.
    where: { slotId: { in: slotIds }, scheduledAt: { gte: window.from, lt: window.to }, requestId: null },
    select: {
      id: true,
      slotId: true,
      clusterId: true,
      scheduledAt: true,
      marketDay: true,
      status: true,
      priority: true,
      profileId: true,
      plan: true,
    },
  });
  // An occurrence that has started on a cluster is not planned again there, even if its slot
  // has since moved to another time of the same market day: it would air twice.
  const dayKey = (slotId: string | null, clusterId: string, day: string | null) =>
    `${slotId}|${clusterId}|${day}`;
  const begun = new Set(
    existing.filter((b) => b.status !== 'PLANNED').map((b) => dayKey(b.slotId, b.clusterId, b.marketDay)),
  );
  const byKey = new Map(existing.map((b) => [keyOf(b.slotId, b.clusterId, b.scheduledAt), b]));
  const wanted = new Set<string>();
  const toCreate: PlannedBroadcast[] = [];
  let updated = 0;
  for (const p of planned) {
    if (begun.has(dayKey(p.slotId, p.clusterId, p.marketDay))) continue;
    const key = keyOf(p.slotId, p.clusterId, p.scheduledAt);
    wanted.add(key);
    const current = byKey.get(key);
    if (!current) {
      toCreate.push(p);
      continue;
    }
    const row = toRow(p);
    if (current.status === 'PLANNED' && planSignature(current) !== planSignature(row)) {
      const { count } = await db.broadcast.updateMany({
        where: { id: current.id, status: 'PLANNED' },
        data: {
          priority: row.priority,
          profileId: row.profileId,
          driverKind: row.driverKind,
          durationSec: row.durationSec,
          plan: row.plan,
        },
      });
      updated += count;
    }
  }
  const stale = existing.filter(
    (b) => b.status === 'PLANNED' && !wanted.has(keyOf(b.slotId, b.clusterId, b.scheduledAt)),
  );
  const { count: removed } = stale.length
    ? await db.broadcast.deleteMany({ where: { id: { in: stale.map((b) => b.id) }, status: 'PLANNED' } })
    : { count: 0 };
  const created = toCreate.length ? await insertPlanned(db, toCreate) : 0;
  return { created, updated, removed };
}

/**
 * Inserts planned rows in one statement, skipping those another materialiser inserted first.
 * The rows travel as one JSON parameter (Prisma's createMany binds every field separately: ~4 ms
 * per row here), grouped by occurrence and profile so that the plan, the bulk of a row and the
 * same for every cluster of the group, is sent and parsed once rather than once per cluster.
 */
async function insertPlanned(db: Db, planned: PlannedBroadcast[]): Promise<number> {
  const groups = new Map<string, { clusters: [string, string][]; [field: string]: unknown }>();
  for (const p of planned) {
    const key = `${p.slotId}|${p.scheduledAt.getTime()}|${p.profileId}`;
    let group = groups.get(key);
    if (!group) {
      // Instants as epoch milliseconds: a timestamp's text form would be read in the session's zone.
      const { slotId, communeId, marketDay, priority, profileId, durationSec, items } = p;
      const plan: BroadcastPlan = { items };
      const scheduledAt = p.scheduledAt.getTime();
      group = {
        slotId,
        communeId,
        scheduledAt,
        marketDay,
        priority,
        profileId,
        durationSec,
        plan,
        clusters: [],
      };
      groups.set(key, group);
    }
    group.clusters.push([p.clusterId, p.driverKind]);
  }
  const json = JSON.stringify([...groups.values()]);
  return db.$executeRaw`
    INSERT INTO broadcast (id, kind, "slotId", "communeId", "clusterId", "scheduledAt", "marketDay", priority,
                           "profileId", "driverKind", "durationSec", plan, "updatedAt")
    SELECT gen_random_uuid(), 'SLOT', g."slotId", g."communeId", (c ->> 0)::uuid, to_timestamp(g."scheduledAt" / 1000.0),
           g."marketDay", g.priority::"BulletinPriority", g."profileId", (c ->> 1)::"DriverKind", g."durationSec", g.plan, now()
    FROM jsonb_to_recordset(${json}::jsonb) AS g(
      "slotId" uuid, "communeId" uuid, "scheduledAt" float8, "marketDay" varchar(10), priority text,
      "profileId" text, "durationSec" float8, plan jsonb, clusters jsonb)
    CROSS JOIN LATERAL jsonb_array_elements(g.clusters) AS c
    -- A dispatcher may have claimed the occurrence since the caller read the rows (a slot moved to
    -- another time of the same market day): it is not planned a second time on that cluster.
    WHERE NOT EXISTS (
      SELECT 1 FROM broadcast b
      WHERE b."slotId" = g."slotId" AND b."clusterId" = (c ->> 0)::uuid AND b."marketDay" = g."marketDay"
        AND b.status <> 'PLANNED' AND b."requestId" IS NULL)
    ON CONFLICT DO NOTHING`;
}

function toRow(p: PlannedBroadcast): Prisma.BroadcastCreateManyInput {
  return {
    kind: 'SLOT',
    slotId: p.slotId,
    communeId: p.communeId,
    clusterId: p.clusterId,
    scheduledAt: p.scheduledAt,
    marketDay: p.marketDay,
    priority: p.priority,
    profileId: p.profileId,
    driverKind: p.driverKind as DriverKind,
    durationSec: p.durationSec,
    plan: { items: p.items } satisfies BroadcastPlan as unknown as Prisma.InputJsonValue,
  };
}

/** Planned broadcasts of slots that no longer exist or are disabled: nothing will plan them again. */
export async function removeOrphans(db: Db, window: { from: Date; to: Date }): Promise<number> {
  return db.$executeRaw`
    DELETE FROM broadcast b
    WHERE b.status = 'PLANNED' AND b.kind = 'SLOT'
      AND b."scheduledAt" >= ${window.from} AND b."scheduledAt" < ${window.to}
      AND NOT EXISTS (SELECT 1 FROM slot s WHERE s.id = b."slotId" AND s.enabled)`;
}

/** The start instants that still have planned broadcasts: one dispatch job each. */
export async function plannedInstants(db: Db, window: { from: Date; to: Date }): Promise<Date[]> {
  // DISTINCT in SQL: Prisma's `distinct` reads every row and folds them in memory (100,000 rows
  // for one market morning of 100,000 clusters, to find one instant).
  const rows = await db.$queryRaw<{ at: number }[]>`
    SELECT DISTINCT (extract(epoch FROM "scheduledAt") * 1000)::float8 AS at FROM broadcast
    WHERE status = 'PLANNED' AND "scheduledAt" >= ${window.from} AND "scheduledAt" < ${window.to}
    ORDER BY at`;
  return rows.map((r) => new Date(r.at));
}

/** What the engine needs of a broadcast to air it (also what the receivers' announce job sends ahead). */
export const dueSelect = {
  id: true,
  kind: true,
  communeId: true,
  clusterId: true,
  slotId: true,
  scheduledAt: true,
  priority: true,
  profileId: true,
  driverKind: true,
  durationSec: true,
  plan: true,
  cluster: { select: { name: true, driverConfig: true, enabled: true } },
} as const;

export type DueBroadcast = Prisma.BroadcastGetPayload<{ select: typeof dueSelect }> & { plan: BroadcastPlan };

/** The planned broadcasts due at one instant (or listed ids): what a dispatch job airs. */
export async function dueAt(
  db: Db,
  where: { scheduledAt: Date } | { ids: string[] },
): Promise<DueBroadcast[]> {
  const rows = await db.broadcast.findMany({
    where: {
      status: 'PLANNED',
      ...('ids' in where ? { id: { in: where.ids } } : { scheduledAt: where.scheduledAt }),
    },
    select: dueSelect,
    orderBy: [{ priority: 'desc' }, { clusterId: 'asc' }],
  });
  return rows as DueBroadcast[];
}

/**
 * Compare-and-set of one broadcast to `to`, from any state that may move there. Every move to
 * AIRING or to a terminal state goes through here, and writes the broadcast log in the same
 * transaction: the start marker, or the ENDED session record appended to the commune's chain. A
 * move that loses its race writes nothing; a record without its move cannot commit.
 */
export async function moveBroadcast(
  db: Db,
  id: string,
  to: BroadcastStatus,
  data: Omit<Prisma.BroadcastUncheckedUpdateManyInput, 'status'> = {},
): Promise<boolean> {
  const move = async (tx: Db) => {
    const { count } = await tx.broadcast.updateMany({
      where: { id, status: { in: movableFrom(to) } },
      data: { ...data, status: to },
    });
    return count === 1;
  };
  if (to !== 'AIRING' && !isTerminal(to)) return move(db);
  const logged = async (tx: Db) => {
    if (!(await move(tx))) return false;
    if (to === 'AIRING') await recordStarted(tx, id);
    else await recordEnded(tx, id);
    return true;
  };
  if (!('$transaction' in db)) return logged(db);
  // An instant's endings queue on their commune's chain lock and on the pool: they wait their
  // turn here, where waiting has no limit, rather than for a connection, where Prisma's has one
  // (10,000 clusters of one commune ending together: "Unable to start a transaction in the given
  // time" after 60 s). An outcome must land.
  return loggedMoves(db)(() => db.$transaction(logged, LOG_TRANSACTION));
}

const LOG_TRANSACTION = { maxWait: 60_000, timeout: 60_000 };
/** Logged moves in flight at once per client: most of the pool (10), leaving some for the rest. */
const LOGGED_MOVES_AT_ONCE = 6;
const loggedMoveQueues = new WeakMap<object, LimitFunction>();

function loggedMoves(db: object): LimitFunction {
  let queue = loggedMoveQueues.get(db);
  if (!queue) {
    queue = pLimit(LOGGED_MOVES_AT_ONCE);
    loggedMoveQueues.set(db, queue);
  }
  return queue;
}

/**
 * PLANNED → STARTING for this worker, in one statement per page (10,000 claims one by one took
 * seconds of the lead): only one dispatcher ever claims a broadcast. Returns the ids it got.
 */
export async function claimBroadcasts(db: Db, ids: string[], now: Date): Promise<Set<string>> {
  const claimed = new Set<string>();
  for (let i = 0; i < ids.length; i += CLAIM_PAGE) {
    const rows = await db.broadcast.updateManyAndReturn({
      where: { id: { in: ids.slice(i, i + CLAIM_PAGE) }, status: 'PLANNED' },
      data: { status: 'STARTING', startedAt: now, attempts: { increment: 1 } },
      select: { id: true },
    });
    for (const row of rows) claimed.add(row.id);
  }
  return claimed;
}

/** Ids per claiming statement (each is a bind parameter; PostgreSQL allows 65,535). */
const CLAIM_PAGE = 5_000;

export async function recordSpread(db: Db, ids: string[], spreadMs: number): Promise<void> {
  await db.broadcast.updateMany({ where: { id: { in: ids } }, data: { spreadMs } });
}

/**
 * The seconds aired so far by many airings, in one statement per renewal tick. Touches
 * `updatedAt`, which tells the sweep an airing's dispatcher is still alive.
 */
export async function recordProgressMany(
  db: Db,
  progress: { id: string; secondsAired: number }[],
): Promise<void> {
  if (progress.length === 0) return;
  await db.$executeRaw`
    UPDATE broadcast b SET "secondsAired" = p."secondsAired", "updatedAt" = now()
    FROM jsonb_to_recordset(${JSON.stringify(progress)}::jsonb) AS p(id uuid, "secondsAired" double precision)
    WHERE b.id = p.id AND b.status = 'AIRING'`;
}

/**
 * Plans, at `at`, a second airing of each slot broadcast `preemptorId` preempted whose
 * occurrence began after `since` — once per occurrence and cluster: the re-air's requestId is the
 * preempted row, and a re-air is not re-aired again. Returns the new rows' ids.
 */
export async function planReairs(
  db: Db,
  preemptorId: string,
  window: { since: Date; at: Date },
): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO broadcast (id, kind, "slotId", "communeId", "clusterId", "scheduledAt", "marketDay", priority,
                           "profileId", "driverKind", "durationSec", plan, "requestId", "updatedAt")
    SELECT gen_random_uuid(), kind, "slotId", "communeId", "clusterId", ${window.at}, "marketDay", priority,
           "profileId", "driverKind", "durationSec", plan, id, now()
    FROM broadcast
    WHERE "preemptedById" = ${preemptorId}::uuid AND status = 'PREEMPTED' AND kind = 'SLOT'
      AND "requestId" IS NULL AND "scheduledAt" >= ${window.since}
    ON CONFLICT DO NOTHING
    RETURNING id::text AS id`;
  return rows.map((r) => r.id);
}

/** Planned broadcasts scheduled before `before`: past due, never claimed. */
export async function overduePlanned(db: Db, before: Date) {
  return db.broadcast.findMany({
    // MQTT rows: the receiver may play a command announced minutes ahead (worker/receivers/overdue.ts).
    where: { status: 'PLANNED', scheduledAt: { lt: before }, driverKind: { not: 'MQTT' } },
    select: { id: true, priority: true, scheduledAt: true },
    take: 1000,
  });
}

/**
 * Broadcasts whose dispatcher is gone: airing with no progress since `airingSilentSince` (the
 * supervisor records progress with every lease renewal), or claimed before `claimedBefore` and
 * still not airing (no claim waits that long: lead time plus the lateness limit).
 */
export async function abandonedAirings(db: Db, limits: { airingSilentSince: Date; claimedBefore: Date }) {
  return db.broadcast.findMany({
    where: {
      // MQTT rows are the receiver's to settle, whoever sent the command (worker/receivers/overdue.ts).
      driverKind: { not: 'MQTT' },
      OR: [
        { status: 'AIRING', updatedAt: { lt: limits.airingSilentSince } },
        { status: 'STARTING', startedAt: { lt: limits.claimedBefore } },
      ],
    },
    select: { id: true, status: true, secondsAired: true },
    take: 1000,
  });
}
