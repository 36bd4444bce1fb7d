// How the pipeline shares the machine and reports on it: ffmpeg slots, phase clocks, progress.

/**
 * Overall progress from per-task fractions: preparing sources ≈ 15 %, encoding ≈ 45 %, reading
 * back ≈ 40 % of the CPU time (benchmark, one ffmpeg at a time). Never goes backwards.
 */
export class PhasedProgress {
  private static readonly share = { prepare: 0.15, encode: 0.45, verify: 0.4 } as const;
  private readonly tasks = new Map<
    string,
    { phase: keyof typeof PhasedProgress.share; weight: number; done: number }
  >();
  private reported = 0;

  constructor(private readonly onProgress?: (fraction: number) => void) {}

  task(phase: keyof typeof PhasedProgress.share, index: number, weight = 1): (fraction: number) => void {
    const task = { phase, weight, done: 0 };
    this.tasks.set(`${phase}:${index}`, task);
    return (fraction) => {
      task.done = Math.min(1, Math.max(task.done, fraction));
      this.report();
    };
  }

  private report(): void {
    if (!this.onProgress) return;
    let total = 0;
    for (const phase of Object.keys(PhasedProgress.share) as (keyof typeof PhasedProgress.share)[]) {
      const tasks = [...this.tasks.values()].filter((t) => t.phase === phase);
      const weight = tasks.reduce((sum, t) => sum + t.weight, 0);
      if (weight > 0)
        total +=
          (PhasedProgress.share[phase] * tasks.reduce((sum, t) => sum + t.weight * t.done, 0)) / weight;
    }
    const fraction = Math.min(0.99, total);
    if (fraction > this.reported) {
      this.reported = fraction;
      this.onProgress(fraction);
    }
  }
}

/** A counting semaphore: at most `limit` ffmpeg processes at a time, started in order of request. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.free = limit;
  }

  async use<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((start) => this.waiting.push(start));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

export class PhaseClock {
  private last = performance.now();
  lap(): number {
    const now = performance.now();
    const elapsed = now - this.last;
    this.last = now;
    return elapsed;
  }
}
