// Programmes (chuyên mục) are free text typed by officers, so they cannot all become label
// values: the most frequent ones keep their name, the rest add up under "other", and a broadcast
// with no programme (a test tone, a bulletin without one) is "none".
export const OTHER_PROGRAMME = 'other';
export const NO_PROGRAMME = 'none';

export interface ProgrammeCount {
  programme: string;
  status: string;
  count: number;
}

export function cappedProgrammes(rows: readonly ProgrammeCount[], max: number): ProgrammeCount[] {
  const totals = new Map<string, number>();
  for (const r of rows) {
    if (r.programme.trim()) totals.set(r.programme, (totals.get(r.programme) ?? 0) + r.count);
  }
  const named = new Set(
    [...totals.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, max)
      .map(([name]) => name),
  );
  const merged = new Map<string, ProgrammeCount>();
  for (const r of rows) {
    const programme = !r.programme.trim()
      ? NO_PROGRAMME
      : named.has(r.programme)
        ? r.programme
        : OTHER_PROGRAMME;
    const key = `${programme}\u0000${r.status}`;
    const entry = merged.get(key) ?? { programme, status: r.status, count: 0 };
    entry.count += r.count;
    merged.set(key, entry);
  }
  return [...merged.values()];
}
