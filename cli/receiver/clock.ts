// The receiver's sense of time: its own clock (a real device's, possibly seconds off), and the
// offset to Loa's clock measured by NTP-style exchanges over MQTT. The sample with the smallest
// round trip of the last few wins: its error is at most half that round trip.
import { clockSample } from '../../domain/receiver-protocol.ts';

const KEEP = 8;

export class ReceiverClock {
  private samples: { offsetMs: number; rttMs: number }[] = [];

  /** `local`: the device clock, ms since the epoch (tests and the simulator add an error to it). */
  constructor(
    readonly local: () => number = () => performance.timeOrigin + performance.now(),
    private fallback: number | null = null,
  ) {}

  addSample(t: { t0: number; t1: number; t2: number; t3: number }): void {
    const sample = clockSample(t);
    if (sample.rttMs < 0) return;
    this.samples = [...this.samples.slice(-(KEEP - 1)), sample];
  }

  private best(): { offsetMs: number; rttMs: number } | null {
    return this.samples.reduce<{ offsetMs: number; rttMs: number } | null>(
      (b, s) => (b === null || s.rttMs < b.rttMs ? s : b),
      null,
    );
  }

  /** This clock − Loa's, in ms; the last known one (kept on disk) before any sample; else null. */
  get offsetMs(): number | null {
    return this.best()?.offsetMs ?? this.fallback;
  }

  get rttMs(): number | null {
    return this.best()?.rttMs ?? null;
  }

  /** Loa's time now, as well as this receiver knows it. */
  trueNow(): number {
    return this.local() - (this.offsetMs ?? 0);
  }

  /** The local clock reading at which Loa's clock reads `at`. */
  localAt(at: number): number {
    return at + (this.offsetMs ?? 0);
  }
}

/**
 * One timer for the whole process, however many receivers it holds: it sleeps until a few
 * milliseconds before the earliest due time, then spins on the event loop and fires everything
 * due in one pass (a thousand simulated receivers do not each spin).
 */
const SPIN_MS = 15;
const due: { at: number; fire: () => void; now: () => number }[] = [];
let timer: NodeJS.Timeout | undefined;
let spinning = false;

export function fireAt(at: number, now: () => number, fire: () => void): () => void {
  const entry = { at, fire, now };
  due.push(entry);
  due.sort((a, b) => a.at - b.at);
  arm();
  return () => {
    const i = due.indexOf(entry);
    if (i >= 0) due.splice(i, 1);
  };
}

function arm(): void {
  if (spinning) return;
  clearTimeout(timer);
  const first = due[0];
  if (!first) return;
  const left = first.at - first.now();
  if (left > SPIN_MS) {
    timer = setTimeout(arm, Math.min(left - SPIN_MS, 1_000));
    timer.unref?.();
    return;
  }
  spinning = true;
  const spin = () => {
    while (due[0] && due[0].at <= due[0].now()) due.shift()?.fire();
    const next = due[0];
    if (next && next.at - next.now() <= SPIN_MS) setImmediate(spin);
    else {
      spinning = false;
      arm();
    }
  };
  spin();
}
