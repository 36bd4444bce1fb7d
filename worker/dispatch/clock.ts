// The dispatcher's sense of time. Airings follow the wall clock (NTP-disciplined on a real
// server), re-read right up to the instant, so an NTP step between planning and start is
// followed rather than carried along by a long timer. Injectable, so tests can run a year in
// compressed time.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Clock {
  /** Wall-clock milliseconds since the epoch (fractional where the platform gives more). */
  now(): number;
  /** Resolves at `at` (epoch ms) by this clock, or rejects when `signal` aborts. */
  waitUntil(at: number, signal?: AbortSignal): Promise<void>;
}

/** Timers sleep at most this long before the wall clock is read again (a step is followed). */
const RECHECK_MS = 1_000;
/** The last few milliseconds are spun on the event loop: timers alone are a few ms late. */
const SPIN_MS = 12;

function wallNow(): number {
  return performance.timeOrigin + performance.now() + wallDrift();
}

// performance.now() is monotonic and does not follow an NTP step; Date.now() does, at 1 ms
// resolution. Their difference, re-read on each call, is the step (if any) since start-up.
function wallDrift(): number {
  return Date.now() - Math.floor(performance.timeOrigin + performance.now());
}

export const systemClock: Clock = {
  now: wallNow,
  async waitUntil(at, signal) {
    for (;;) {
      signal?.throwIfAborted();
      const left = at - wallNow();
      if (left <= 0) return;
      if (left > SPIN_MS) await sleep(Math.min(left - SPIN_MS, RECHECK_MS), undefined, { signal });
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  },
};
