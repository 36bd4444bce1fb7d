import { describe, expect, it } from 'vitest';
import { balanceByCost } from '../../../media/cost.ts';
import { findProfile } from '../../../media/profiles.ts';

const output = (id: string, expectedDurationSec = 360) => ({
  id,
  profile: findProfile(id),
  expectedDurationSec,
});

describe('splitting renditions over ffmpeg runs', () => {
  it('balances encoding and reading back over the runs, Opus VoIP and the programme MP3 apart', () => {
    const outputs = [
      output('mp3-24k'),
      output('pcmu-8k'),
      output('pcmu-16k'),
      output('opus-24k'),
      output('wav-l16'),
      output('mp3-24k', 180),
      output('mp3-24k', 180),
    ];
    const groups = balanceByCost(outputs, 2);
    expect(groups.map((g) => g.outputs.map((o) => o.id))).toEqual([
      ['opus-24k', 'wav-l16', 'pcmu-8k'],
      ['mp3-24k', 'mp3-24k', 'mp3-24k', 'pcmu-16k'],
    ]);
    const [a, b] = groups.map((g) => g.encodeCost + g.verifyCost) as [number, number];
    expect(Math.abs(a - b) / (a + b)).toBeLessThan(0.1);
  });

  it('never makes more runs than outputs and keeps every output once', () => {
    const outputs = [output('wav-l16'), output('pcmu-8k')];
    expect(balanceByCost(outputs, 4)).toHaveLength(2);
    expect(balanceByCost(outputs, 1).flatMap((g) => g.outputs)).toHaveLength(2);
  });
});
