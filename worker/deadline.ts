// A job's time limit (the catalogue's timeoutMs) and the worker's shutdown, as one AbortSignal
// handed to the handler: its ffmpeg and TTS children take the signal and are killed when it fires.

/** The job ran longer than its policy allows. Final: the same work would run out of time again. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
}

/** The worker is stopping; the job is put back for the next worker, not failed. */
export class WorkerStoppingError extends Error {
  override readonly name = 'WorkerStoppingError';
}

/** How long a stopped handler may take to kill its children (ffmpeg: SIGTERM, then SIGKILL after 2 s). */
export const SETTLE_MS = 10_000;

export function timedOutAfter(timeoutMs: number, what: string): string {
  return `${what} timed out after ${timeoutMs / 1000} s`;
}

/**
 * Runs `work` with a signal that fires at `timeoutMs` (reason: a JobTimeoutError) or when one of
 * `stops` fires (its reason). Once stopped, the work gets `settleMs` to wind down, so its children
 * are gone when this settles; the rejection is then the stop's reason, not whatever error the
 * aborted work threw. Work that finishes despite the stop keeps its result.
 */
export async function runWithin<T>(
  options: { timeoutMs: number; what: string; stops?: readonly AbortSignal[]; settleMs?: number },
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new JobTimeoutError(timedOutAfter(options.timeoutMs, options.what))),
    options.timeoutMs,
  );
  const signal = AbortSignal.any([timeout.signal, ...(options.stops ?? [])]);
  const running = work(signal);
  // Whatever the aborted work throws later is superseded by the stop's reason.
  running.catch(() => {});
  let giveUp: NodeJS.Timeout | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    const stop = () => {
      giveUp = setTimeout(() => reject(signal.reason), options.settleMs ?? SETTLE_MS);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  abandoned.catch(() => {});
  try {
    return await Promise.race([running, abandoned]);
  } catch (err) {
    throw signal.aborted ? signal.reason : err;
  } finally {
    clearTimeout(timer);
    clearTimeout(giveUp);
  }
}
