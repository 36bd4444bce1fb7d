import { describe, expect, it } from 'vitest';
import { cappedProgrammes } from './programme-labels.ts';

describe('programme labels', () => {
  it('keeps the most frequent programmes, adds up the rest as "other" and the blank as "none"', () => {
    const rows = [
      { programme: 'Vì chủ quyền an ninh biên giới', status: 'AIRED', count: 9 },
      { programme: 'Vì chủ quyền an ninh biên giới', status: 'MISSED', count: 1 },
      { programme: 'Nông nghiệp', status: 'AIRED', count: 5 },
      { programme: 'Y tế', status: 'AIRED', count: 2 },
      { programme: 'Giáo dục', status: 'AIRED', count: 1 },
      { programme: '', status: 'AIRED', count: 4 },
      { programme: '  ', status: 'FAILED', count: 1 },
    ];
    const capped = cappedProgrammes(rows, 2);
    const key = (r: { programme: string; status: string }) => `${r.programme}/${r.status}`;
    expect(Object.fromEntries(capped.map((r) => [key(r), r.count]))).toEqual({
      'Vì chủ quyền an ninh biên giới/AIRED': 9,
      'Vì chủ quyền an ninh biên giới/MISSED': 1,
      'Nông nghiệp/AIRED': 5,
      'other/AIRED': 3,
      'none/AIRED': 4,
      'none/FAILED': 1,
    });
    // Nothing is lost by capping.
    expect(capped.reduce((a, r) => a + r.count, 0)).toBe(rows.reduce((a, r) => a + r.count, 0));
  });
});
