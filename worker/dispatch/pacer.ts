/**
 * Sends units (packets, frames) at their media time against the monotonic clock.
 *
 * Each unit's send time is start + its own media offset, never the previous send + a delay, so
 * timer lateness does not accumulate into drift. The pacer sleeps on `setTimeout` until the due
 * time and checks the clock when it wakes (a timer that fires early is simply set again), which
 * lands within about a millisecond. A caller may ask for a finer finish (`spinMs`): the last
 * milliseconds are then `setImmediate` turns, each checking the clock and yielding to I/O. It is
 * off by default: on a busy machine a process that spins uses up its share of the CPU and the
 * kernel then runs it after the processes that slept (RTP fan-out to 1,000 clusters, load ~6 on
 * 2 cores: the spinning pacer fell hundreds of ms behind). The first unit goes out synchronously
 * inside `pace()`, so airings started in one loop send their first audio in that loop.
 */
export interface PacerOptions {
  count: number;
  /** Media offset of unit `index` in ms from the start; non-decreasing. */
  dueMs(index: number): number;
  /** Sends unit `index`; `lateMs` is how far behind its due time it goes out. */
  send(index: number, lateMs: number): void;
  /** Below this many ms to the next due time the pacer spins on setImmediate instead of sleeping. */
  spinMs?: number;
  /** Monotonic clock in ms (tests inject one). */
  clock?: () => number;
}

export interface LatenessSummary {
  sent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Units sent more than `LATE_MS` after their due time. */
  late: number;
}

export interface PacingReport {
  sent: number;
  /** True when `stop()` ended it before the last unit. */
  stopped: boolean;
  lateness: LatenessSummary;
}

export interface Pacing {
  /** Monotonic ms at which unit 0 went out. */
  readonly startedAt: number;
  /** Units sent so far. */
  readonly sent: number;
  stop(): void;
  readonly done: Promise<PacingReport>;
}

/** Later than this, AES67-style receivers drop a packet (perf-and-reliability §1.4: fpp#2848). */
export const LATE_MS = 20;
const DEFAULT_SPIN_MS = 0;

export function pace(options: PacerOptions): Pacing {
  // The global `performance` (not node:perf_hooks' import), so test fake timers can drive it.
  const clock = options.clock ?? (() => performance.now());
  const spinMs = options.spinMs ?? DEFAULT_SPIN_MS;
  const lateness = new Float64Array(options.count);
  const startedAt = clock();
  let next = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let settle: (report: PacingReport) => void = () => {};
  const done = new Promise<PacingReport>((resolve) => {
    settle = resolve;
  });

  const finish = () => {
    settle({ sent: next, stopped, lateness: summarise(lateness.subarray(0, next)) });
  };

  const tick = () => {
    timer = undefined;
    immediate = undefined;
    if (stopped) return;
    let now = clock();
    while (next < options.count) {
      const due = startedAt + options.dueMs(next);
      if (due > now) break;
      const index = next++;
      lateness[index] = now - due;
      options.send(index, now - due);
      if (stopped) return; // `send` may stop the pacing (its last destination left)
      now = clock();
    }
    if (next >= options.count) {
      finish();
      return;
    }
    const wait = startedAt + options.dueMs(next) - now;
    if (wait > spinMs) timer = setTimeout(tick, wait - spinMs);
    else immediate = setImmediate(tick);
  };

  tick();
  return {
    startedAt,
    get sent() {
      return next;
    },
    stop() {
      if (stopped || next >= options.count) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      finish();
    },
    done,
  };
}

export function summarise(lateness: Float64Array): LatenessSummary {
  const sorted = Float64Array.from(lateness).sort();
  const at = (q: number) =>
    sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return {
    sent: sorted.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0),
    late: sorted.filter((ms) => ms > LATE_MS).length,
  };
}

/**
 * Wall-clock ms (sub-ms) of a monotonic instant. The offset between the two clocks is taken
 * afresh at most once a second, so NTP slewing of the wall clock is followed while a single
 * airing's instants stay on one consistent scale.
 */
let anchor = { at: Number.NEGATIVE_INFINITY, offset: 0 };
export function wallTimeOf(monotonicMs: number): number {
  const now = performance.now();
  if (now - anchor.at > 1000) {
    // Date.now() truncates to the ms: +0.5 centres the error.
    anchor = { at: now, offset: Date.now() + 0.5 - now };
  }
  return monotonicMs + anchor.offset;
}
