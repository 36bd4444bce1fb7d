import { useCallback, useEffect, useState } from 'react';

export type Load<T> =
  | { state: 'loading'; data?: T }
  | { state: 'loaded'; data: T }
  | { state: 'failed'; error: unknown; data?: T };

/** Loads data for a page; `reload()` fetches again and keeps the old data shown meanwhile. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Load<T>, () => void] {
  const [result, setResult] = useState<Load<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` reads
  const run = useCallback(load, deps);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `round` is how reload() asks again
  useEffect(() => {
    let alive = true;
    setResult((old) => ({ state: 'loading', data: old.data }));
    run().then(
      (data) => alive && setResult({ state: 'loaded', data }),
      (error: unknown) => alive && setResult((old) => ({ state: 'failed', error, data: old.data })),
    );
    return () => {
      alive = false;
    };
  }, [run, round]);
  return [result, () => setRound((r) => r + 1)];
}
