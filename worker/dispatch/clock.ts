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

/** A jump of the wall clock against the monotonic one beyond this is a step, and is logged. */
export const STEP_LOG_MS = 500;
/** The fastest an NTP daemon slews the clock: 500 ppm. */
const MAX_SLEW = 0.0005;

/**
 * `clock` watched for steps: at every reading and every wait (and every second of a long one)
 * the wall clock's offset from the monotonic clock is compared with the last one seen. NTP slews by at most
 * 0.5 ms/s, so a change over STEP_LOG_MS is a step (an NTP correction, a clock set by hand):
 * `onStep` hears it, with its size. The airing itself needs nothing more — waits re-read the
 * wall clock — but an operator must be able to tell why a start was planned at one reading and
 * aired at another.
 */
export function watchSteps(
  clock: Clock,
  onStep: (stepMs: number) => void,
  monotonic: () => number = () => performance.now(),
): Clock {
  let last: { offset: number; at: number } | undefined;
  const now = () => {
    const wall = clock.now();
    const at = monotonic();
    const offset = wall - at;
    // Slewing moves the offset too, slowly: over hours without a reading it adds up.
    const slewed = last ? MAX_SLEW * (at - last.at) : 0;
    if (last && Math.abs(offset - last.offset) > STEP_LOG_MS + slewed) {
      onStep(Math.round(offset - last.offset));
    }
    last = { offset, at };
    return wall;
  };
  return {
    now,
    async waitUntil(at, signal) {
      for (;;) {
        const wall = now();
        if (at <= wall) return;
        await clock.waitUntil(Math.min(at, wall + RECHECK_MS), signal);
      }
    },
  };
}
