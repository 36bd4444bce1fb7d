// A value read at most once per `ttlMs`, however many scrapes ask at once: a scrape storm (several
// Prometheus servers, a dashboard refreshing) costs the database one round of queries per period.
export function cachedFor<T>(ttlMs: number, read: () => Promise<T>, now: () => number = Date.now) {
  let value: { at: number; result: Promise<T> } | null = null;
  return (): Promise<T> => {
    const t = now();
    if (value && t - value.at < ttlMs) return value.result;
    const result = read();
    const entry = { at: t, result };
    value = entry;
    // A failed read is not kept: the next scrape tries again instead of replaying the error.
    result.catch(() => {
      if (value === entry) value = null;
    });
    return result;
  };
}
