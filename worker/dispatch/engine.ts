// Airs the broadcasts due at one instant. Everything slow (claiming rows, preparing drivers,
// taking cluster leases) happens before the instant; at the instant every prepared airing is
// started in one tight loop, so neighbouring clusters start together. A cluster that is not
// ready by then (offline, busy) is retried with backoff on its own until its lateness limit,
// while the others air. Every outcome lands in the broadcast row by compare-and-set.
import pLimit from 'p-limit';
import type { EndReason } from '../../domain/dispatch/broadcast-status.ts';
import { tooLate } from '../../domain/dispatch/lateness.ts';
import {
  claimBroadcasts,
  type DueBroadcast,
  dueAt,
  moveBroadcast,
  recordSpread,
} from '../../prisma/repositories/broadcasts.ts';
import {
  acquireLeases,
  type Lease,
  leaseHolder,
  leaseKey,
  releaseLease,
  renewLeases,
} from '../../prisma/repositories/cluster-lease.ts';
import type { PreparedAiring } from '../drivers/driver.ts';
import { PREEMPTED, superviseAiring } from './airing.ts';
import type { DispatchDeps } from './deps.ts';
import { wallTimeOf } from './pacer.ts';
import { toAiringRequest } from './request.ts';

interface Prepared {
  broadcast: DueBroadcast;
  prepared: PreparedAiring;
}

interface Ready extends Prepared {
  lease: Lease;
}

const MAX_RETRY_MS = 30_000;
/** How long an airing asked for now may take to prepare before it goes on alone (with retries). */
const PREPARE_NOW_MS = 3_000;

/** Airs what is due at `at` (or the listed broadcasts, now: emergencies and test tones). */
export async function airBroadcasts(
  deps: DispatchDeps,
  target: { at: Date } | { ids: string[] },
  signal: AbortSignal,
): Promise<{ aired: string[] }> {
  const due = await dueAt(deps.db, 'at' in target ? { scheduledAt: target.at } : { ids: target.ids });
  // Emergencies and test tones have no instant to meet: they start as soon as they are prepared.
  const now = !('at' in target);
  let startAt = 'at' in target ? target.at.getTime() : deps.clock.now();
  const claimed = await claim(deps, due);

  // Prepare everyone before the instant; whoever is not ready by then goes on alone. A batch
  // at a time: the drivers of a batch prepare side by side, then the batch takes its clusters'
  // leases in one statement (one transaction per cluster took longer than the lead at 10,000).
  const late: DueBroadcast[] = [];
  let ready: Ready[] = [];
  const preparing = pLimit(PREPARING_AT_ONCE);
  for (let i = 0; i < claimed.length; i += LEASE_BATCH) {
    const batch = claimed.slice(i, i + LEASE_BATCH);
    const prepared: Prepared[] = [];
    await preparing.map(batch, async (broadcast) => {
      const left = now ? PREPARE_NOW_MS : Math.max(0, Math.ceil(startAt - deps.clock.now()));
      const budget = deadline(signal, left);
      const got = await prepareDriver(deps, broadcast, startAt, budget.signal)
        .catch((err: Error) => {
          deps.logger.warn({ module: 'dispatch', broadcastId: broadcast.id, err: err.message }, 'not ready');
          return null;
        })
        .finally(budget.clear);
      if (got) prepared.push({ broadcast, prepared: got });
      else late.push(broadcast);
    });
    const leased = await leaseAll(deps, prepared, startAt);
    ready.push(...leased.ready);
    late.push(...leased.busy);
  }

  if (now) startAt = deps.clock.now();
  let lost: Promise<unknown> = Promise.resolve();
  try {
    await deps.clock.waitUntil(startAt - leaseCheckLeadMs(ready.length), signal);
    // A higher priority (an emergency) may have taken a cluster since its lease was taken, between
    // the claim and the first audio: that airing must not start over it.
    const checked = await stillHeld(deps, ready, startAt);
    ready = checked.held;
    lost = Promise.all(checked.lost.map((r) => preemptedBeforeStart(deps, r)));
  } catch (err) {
    // Stopping before the instant: hand every claim back so another worker airs it in time.
    await Promise.all(ready.map((r) => handBack(deps, r)));
    await Promise.all(late.map((b) => moveBroadcast(deps.db, b.id, 'PLANNED')));
    throw err;
  }
  const started = await startAtInstant(deps, ready, startAt);
  // Let the first audio leave before any bookkeeping. A driver's send may complete on a later
  // tick (dgram resolves even a literal address on process.nextTick), and ticks wait until the
  // microtask queue is empty: the supervision's database work, started from a first audio
  // resolved in that queue, held the RTP first packets back ~2 ms per cluster (PGlite).
  for (const s of started) s.airing.firstAudioAt.catch(() => {}); // handled by the supervision below
  await new Promise<void>((resolve) => setImmediate(resolve));
  const supervised = started.map(({ broadcast, airing, lease }) =>
    superviseAiring(deps, broadcast, airing, lease),
  );
  const stragglers = late.map((broadcast) => retryAlone(deps, broadcast, startAt, signal));

  const firstAudio = await Promise.all(supervised.map((s) => s.firstAudioAt));
  const times = firstAudio.filter((t): t is number => t !== null);
  if (times.length > 1) {
    await recordSpread(
      deps.db,
      started.map((s) => s.broadcast.id),
      Math.max(...times) - Math.min(...times),
    );
  }
  const outcomes = await Promise.all([...supervised.map((s) => s.done), ...stragglers]);
  await lost;
  return { aired: outcomes.filter((o) => o.status === 'AIRED').map((o) => o.id) };
}

/**
 * Starts the ready airings at the instant. Drivers that keep time themselves are armed now and
 * start on their own timer, whatever this event loop is doing then (at 1,000 clusters the start
 * loop took ~50 ms): their airings are in hand at once, and this loop need not spin to the instant
 * for them (two cores: it took one from the thread sending the first packets). The others start
 * in one tight loop at the instant. The last lease check is the point of no return: a stop after
 * it lets the instant start (the worker's shutdown then treats its airings as running ones), as
 * the armed could not be called back safely so close to their first packet.
 */
async function startAtInstant(deps: DispatchDeps, ready: Ready[], startAt: number) {
  const begin = ({ broadcast, prepared, lease }: Ready) => ({ broadcast, lease, airing: prepared.start() });
  const armed = ready.filter((r) => r.prepared.arm);
  // The drivers' timers run on the host's wall clock: the instant by it (the same unless the
  // dispatcher's clock is not the host's, as in the tests' compressed time).
  const hostAt = wallTimeOf(performance.now()) + (startAt - deps.clock.now());
  for (const r of armed) r.prepared.arm?.(hostAt);
  const started = armed.map(begin);
  const onTime = ready.filter((r) => !r.prepared.arm);
  if (onTime.length === 0) return started;
  await deps.clock.waitUntil(startAt);
  // The tight loop: nothing awaited between two starts.
  started.push(...onTime.map(begin));
  return started;
}

/**
 * How long before the instant the leases are checked once more (one statement for all) and the
 * airings armed: room for that statement and the arming, which grow with the clusters (10,000:
 * ~0.5 s, and every start was as late).
 */
function leaseCheckLeadMs(airings: number): number {
  return 400 + airings / 10;
}

/** The ready airings whose cluster lease is still theirs, and those that lost it meanwhile. */
async function stillHeld(deps: DispatchDeps, ready: Ready[], startAt: number) {
  if (ready.length === 0) return { held: ready, lost: [] };
  const ttlMs = Math.max(0, startAt - deps.clock.now()) + deps.lease.ttlMs;
  const still = await renewLeases(
    deps.db,
    ready.map((r) => r.lease),
    Math.round(ttlMs),
  );
  return {
    held: ready.filter((r) => still.has(leaseKey(r.lease))),
    lost: ready.filter((r) => !still.has(leaseKey(r.lease))),
  };
}

/** Nothing aired: the cluster went to a higher priority before the instant. */
async function preemptedBeforeStart(deps: DispatchDeps, { broadcast, prepared }: Ready): Promise<void> {
  await prepared.abandon(PREEMPTED).catch(() => {});
  await moveBroadcast(deps.db, broadcast.id, 'PREEMPTED', {
    secondsAired: 0,
    endedAt: new Date(deps.clock.now()),
    reasonCode: PREEMPTED.code,
    reason: PREEMPTED.message,
    preemptedById: await leaseHolder(deps.db, broadcast.clusterId),
  });
}

/** Too late already → missed; the others PLANNED → STARTING, less those another worker has. */
async function claim(deps: DispatchDeps, due: DueBroadcast[]): Promise<DueBroadcast[]> {
  const inTime: DueBroadcast[] = [];
  for (const b of due) {
    const late = tooLate(b.priority, b.scheduledAt.getTime(), deps.clock.now(), deps.lateness);
    if (late) await end(deps, b.id, 'MISSED', late);
    else inTime.push(b);
  }
  const claimed = await claimBroadcasts(
    deps.db,
    inTime.map((b) => b.id),
    new Date(deps.clock.now()),
  );
  return inTime.filter((b) => claimed.has(b.id));
}

/** Driver preparations in flight at once (files opened, hosts resolved, commands sent). */
const PREPARING_AT_ONCE = 32;
/**
 * `signal`, or `ms` passed, whichever comes first; `clear` once the work is done. Left to fire
 * (AbortSignal.timeout cannot be cleared), the budgets of 1,000 preparations all aborted at the
 * instant and held this event loop ~30 ms, just as the first packets left.
 */
function deadline(signal: AbortSignal, ms: number): { signal: AbortSignal; clear: () => void } {
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new DOMException('the preparation ran out of time', 'TimeoutError')),
    ms,
  );
  return { signal: AbortSignal.any([signal, timeout.signal]), clear: () => clearTimeout(timer) };
}

/** Airings whose leases are taken together. */
const LEASE_BATCH = 500;

async function prepareDriver(
  deps: DispatchDeps,
  b: DueBroadcast,
  startAt: number,
  signal: AbortSignal,
): Promise<PreparedAiring> {
  const driver = deps.driverFor(b.driverKind);
  if (!driver) throw new DispatchError('no-driver', `không có trình điều khiển ${b.driverKind} / no driver`);
  return driver.prepare(toAiringRequest(b, driver, deps.store, startAt), signal);
}

/**
 * Takes the leases of prepared airings (an emergency takes a cluster from a running normal
 * airing, which stops). Held from now through the instant: renewals only begin with the audio.
 * Those that found their cluster busy are abandoned and come back as `busy`.
 */
async function leaseAll(
  deps: DispatchDeps,
  prepared: Prepared[],
  startAt: number,
): Promise<{ ready: Ready[]; busy: DueBroadcast[] }> {
  const ttlMs = Math.max(0, startAt - deps.clock.now()) + deps.lease.ttlMs;
  const leases = await acquireLeases(
    deps.db,
    prepared.map(({ broadcast: b }) => ({
      clusterId: b.clusterId,
      broadcastId: b.id,
      priority: b.priority,
      ttlMs,
    })),
  );
  const ready: Ready[] = [];
  const busy: DueBroadcast[] = [];
  for (const p of prepared) {
    const lease = leases.get(p.broadcast.id);
    if (!lease) {
      await p.prepared.abandon(CLUSTER_BUSY);
      busy.push(p.broadcast);
      continue;
    }
    if (lease.preempted) deps.running.get(lease.preempted)?.stop(PREEMPTED);
    ready.push({ ...p, lease });
  }
  return { ready, busy };
}

/** Prepares the driver, then takes the cluster's lease. Not ready → a DispatchError with the reason. */
async function prepareAndLease(
  deps: DispatchDeps,
  b: DueBroadcast,
  startAt: number,
  signal: AbortSignal,
): Promise<{ prepared: PreparedAiring; lease: Lease }> {
  const prepared = await prepareDriver(deps, b, startAt, signal);
  const { ready } = await leaseAll(deps, [{ broadcast: b, prepared }], startAt);
  const got = ready[0];
  if (!got) throw new DispatchError(CLUSTER_BUSY.code, CLUSTER_BUSY.message);
  return got;
}

const CLUSTER_BUSY: EndReason = {
  code: 'cluster-busy',
  message: 'cụm loa đang phát bản tin khác / the cluster is airing another broadcast',
};

/** A cluster that was not ready at the instant: retried with backoff until its lateness limit. */
async function retryAlone(
  deps: DispatchDeps,
  b: DueBroadcast,
  startAt: number,
  signal: AbortSignal,
): Promise<{ id: string; status: string }> {
  let delay = deps.retryMs;
  let lastError: EndReason = { code: 'not-ready', message: 'chưa sẵn sàng / not ready' };
  for (;;) {
    const late = tooLate(b.priority, startAt, deps.clock.now() + delay, deps.lateness);
    if (signal.aborted) {
      await moveBroadcast(deps.db, b.id, 'PLANNED');
      return { id: b.id, status: 'PLANNED' };
    }
    if (late) {
      const reason = {
        code: lastError.code,
        message: `${lastError.message}; ${late.message}`,
      };
      await end(deps, b.id, 'MISSED', reason);
      return { id: b.id, status: 'MISSED' };
    }
    // Never before the instant: the engine may hand stragglers over ahead of it.
    await deps.clock.waitUntil(Math.max(deps.clock.now(), startAt) + delay, signal).catch(() => {});
    if (signal.aborted) continue;
    try {
      const { prepared, lease } = await prepareAndLease(deps, b, deps.clock.now(), signal);
      // Preparing takes time (a login round over a slow link): past the limit now, it does not start.
      const lateNow = tooLate(b.priority, startAt, deps.clock.now(), deps.lateness);
      if (lateNow) {
        await prepared.abandon(lateNow).catch(() => {});
        await releaseLease(deps.db, lease);
        await end(deps, b.id, 'MISSED', {
          code: lastError.code,
          message: `${lastError.message}; ${lateNow.message}`,
        });
        return { id: b.id, status: 'MISSED' };
      }
      return await superviseAiring(deps, b, prepared.start(), lease).done;
    } catch (err) {
      lastError = reasonOf(err);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }
}

export class DispatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function reasonOf(err: unknown): EndReason {
  if (err instanceof DispatchError) return { code: err.code, message: err.message };
  const e = err as { code?: unknown; message?: string };
  const message = e.message ?? String(err);
  if (e.code === 'ECONNREFUSED') return { code: 'cluster-offline', message };
  // A driver's own reason codes (lower-case, e.g. device-unavailable) say more than ours;
  // system error codes (upper-case) other than a refused connection are a driver error.
  const own = typeof e.code === 'string' && /^[a-z][a-z0-9-]{1,40}$/.test(e.code);
  return { code: own ? (e.code as string) : 'driver-error', message };
}

async function handBack(deps: DispatchDeps, { broadcast, prepared, lease }: Ready): Promise<void> {
  await prepared.abandon({ code: 'stopping', message: 'worker stopping' }).catch(() => {});
  await releaseLease(deps.db, lease);
  await moveBroadcast(deps.db, broadcast.id, 'PLANNED');
}

async function end(deps: DispatchDeps, id: string, status: 'MISSED' | 'FAILED', reason: EndReason) {
  await moveBroadcast(deps.db, id, status, {
    reasonCode: reason.code,
    reason: reason.message,
    endedAt: new Date(deps.clock.now()),
  });
}
