import { useState } from 'react';

/**
 * An action the user confirms first (delete, revoke, replace a link): asks, runs it, and keeps its
 * error for an ErrorNote. Returns the error and the function that asks and runs.
 */
export function useConfirmedAction(): [
  unknown,
  (question: string, action: () => Promise<unknown>) => Promise<void>,
] {
  const [error, setError] = useState<unknown>(null);
  async function run(question: string, action: () => Promise<unknown>) {
    if (!window.confirm(question)) return;
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  }
  return [error, run];
}
