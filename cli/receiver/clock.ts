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
 * One timer for the whole process, however many receivers it holds: it sleeps until a moment
 * before the earliest due time, then spins on the event loop and fires what is due. Each entry is
 * due by its own clock, and the receivers of one process each have their own: entries are ordered
 * by when each is due on the process's monotonic clock, never by their readings (an order by
 * readings kept every start behind the receiver whose clock read lowest: 1,000 simulated
 * receivers started ~110 ms late). The spin is short: a process that spins long on a busy machine
 * is the one the scheduler holds back (a sleeper that wakes is served first).
 */
const SPIN_MS = 2;
/** Receipts wait while another start is due this soon (one process's starts, spread by their
 * offsets' errors, come in bunches). */
const QUIET_MS = 50;
interface Due {
  at: number;
  now: () => number;
  fire: () => void;
  /** When it is due on performance.now(), as its clock read at the last look. */
  mono: number;
}
let due: Due[] = [];
let timer: NodeJS.Timeout | undefined;
let spinning = false;
let afterwards: (() => void)[] = [];

/**
 * Work that follows a start (its receipt: a disk write and a publish) runs once the starts due
 * about now have all fired: queued behind each start, the receipts of a process's first
 * receivers made its later ones ~0.5 s late.
 */
export function afterStarts(work: () => void): void {
  afterwards.push(work);
  if (!spinning && !(due[0] && due[0].mono - performance.now() <= QUIET_MS)) flushAfterwards();
}

function flushAfterwards(): void {
  const work = afterwards;
  afterwards = [];
  if (work.length === 0) return;
  setImmediate(() => {
    for (const w of work) w();
  });
}

export function fireAt(at: number, now: () => number, fire: () => void): () => void {
  const entry: Due = { at, fire, now, mono: 0 };
  if (spinning) place(entry);
  else {
    due.push(entry);
    arm();
  }
  return () => {
    due = due.filter((e) => e !== entry);
    if (!spinning && afterwards.length > 0) arm();
  };
}

/** Into the list in order, by its due time read from its own clock now. */
function place(entry: Due): void {
  entry.mono = performance.now() + (entry.at - entry.now());
  let lo = 0;
  let hi = due.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((due[mid] as Due).mono <= entry.mono) lo = mid + 1;
    else hi = mid;
  }
  due.splice(lo, 0, entry);
}

/** Every entry's due time read again from its own clock (one that stepped moves), in order. */
function arm(): void {
  clearTimeout(timer);
  const t = performance.now();
  for (const e of due) e.mono = t + (e.at - e.now());
  due.sort((a, b) => a.mono - b.mono);
  const first = due[0];
  // Not in a short gap between starts: the receipts would hold up the ones that follow.
  if (!first || first.mono - performance.now() > QUIET_MS) flushAfterwards();
  if (!first) return;
  const left = first.mono - performance.now();
  if (left > SPIN_MS) {
    // Bounded: a clock that steps is seen within a second.
    timer = setTimeout(arm, Math.min(left - SPIN_MS, 1_000));
    timer.unref?.();
    return;
  }
  spinning = true;
  const spin = () => {
    const t = performance.now();
    let n = 0;
    while (n < due.length && (due[n] as Due).mono <= t) n++;
    // Out of the list before any fires (a fire may arm another); checked on its own clock.
    const ready = due.slice(0, n);
    due = due.slice(n);
    for (const e of ready) {
      if (e.at <= e.now()) e.fire();
      else place(e);
    }
    const next = due[0];
    if (next && next.mono - performance.now() <= SPIN_MS) setImmediate(spin);
    else {
      spinning = false;
      arm();
    }
  };
  spin();
}
