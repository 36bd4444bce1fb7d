// The dispatcher's sense of time. Airings follow the wall clock (NTP-disciplined on a real
// server), re-read right up to the instant, so an NTP step between planning and start is
// followed rather than carried along by a long timer. Injectable, so tests can run a year in
// compressed time.
import { setTimeout as sleep } from 'node:timers/promises';
import { wallTimeOf } from './pacer.ts';

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

/** The same wall-clock scale the drivers stamp their first audio on, so skews compare like with like. */
const wallNow = () => wallTimeOf(performance.now());

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
