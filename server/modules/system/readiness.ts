// Readiness = every part Loa needs to do its work answers now: the database, Redis (the job
// queue) and ffmpeg. Each check is bounded in time so a hung dependency reads as "down".

export type ReadinessCheck = () => Promise<unknown>;

export interface PartStatus {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface Readiness {
  ready: boolean;
  parts: Record<string, PartStatus>;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2000,
): Promise<Readiness> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, PartStatus]> => {
      const started = performance.now();
      try {
        await withTimeout(Promise.resolve().then(check), timeoutMs);
        return [name, { ok: true, ms: Math.round(performance.now() - started) }];
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return [name, { ok: false, ms: Math.round(performance.now() - started), error }];
      }
    }),
  );
  const parts = Object.fromEntries(entries);
  return { ready: entries.every(([, s]) => s.ok), parts };
}
