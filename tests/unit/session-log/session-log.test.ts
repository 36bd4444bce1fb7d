// The broadcast log's pure rules: canonical serialisation and chain hash, seconds per language,
// the counting rule, and the chain-heads block exports carry.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH, recordBody } from '../../../domain/session-log/canonical.ts';
import { countHeld, parseMinLanguageShare, sessionOutcome } from '../../../domain/session-log/counting.ts';
import { findChainHeads, formatChainHeads } from '../../../domain/session-log/heads.ts';
import { languageSeconds, minLanguageShare } from '../../../domain/session-log/language-seconds.ts';
import { ChainVerifier } from '../../../domain/session-log/verify.ts';

describe('canonical serialisation', () => {
  it('sorts keys at every depth, writes instants in UTC and absent fields as null', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'Xã Mường Tè' } })).toBe(
      '{"a":{"c":"Xã Mường Tè","d":[2,{"y":null,"z":1}]},"b":1}',
    );
    expect(canonicalJson(new Date('2026-04-13T01:00:00.5+07:00'))).toBe('"2026-04-12T18:00:00.500Z"');
    const body = recordBody({ communeCode: 'A01', secondsAired: 12.5 });
    expect(body.startsWith('{"attempts":null,"broadcastId":null,')).toBe(true);
    expect(JSON.parse(body)).toMatchObject({ v: 1, communeCode: 'A01', secondsAired: 12.5, receipt: null });
    expect(() => canonicalJson(Number.NaN)).toThrow(/finite/);
  });

  it('hashes "<seq>\\n<prevHash>\\n<body>" with sha256, as the database does', () => {
    const expected = createHash('sha256').update(`1\n${GENESIS_HASH}\nbody`).digest('hex');
    expect(chainHash(1, GENESIS_HASH, 'body')).toBe(expected);
    // The value session_record_append computed for the same input on PGlite and PostgreSQL.
    expect(expected).toBe('54f5c87b44e6cbafe20c93159e29fadb390e5bc6280fb44d50c3e0a05dbf3e6f');
  });

  it('names the first record of a chain that does not match', () => {
    const records = [1, 2, 3].map((seq) => ({
      seq,
      broadcastId: `b${seq}`,
      communeCode: 'A01',
      prevHash: '',
      hash: '',
    }));
    let prev = GENESIS_HASH;
    for (const r of records) {
      r.prevHash = prev;
      r.hash = chainHash(r.seq, prev, recordBody(r));
      prev = r.hash;
    }
    const ok = new ChainVerifier();
    for (const r of records) ok.push(r);
    expect(ok.result()).toEqual({ records: 3, mismatch: null });
    const edited = new ChainVerifier();
    for (const r of records) edited.push(r.seq === 2 ? { ...r, communeCode: 'B02' } : r);
    expect(edited.result().mismatch).toMatchObject({ problem: 'hash', seq: 2, broadcastId: 'b2' });
    const removed = new ChainVerifier();
    for (const r of records.filter((r) => r.seq !== 2)) removed.push(r);
    expect(removed.result().mismatch).toMatchObject({ problem: 'gap', seq: 3, expectedSeq: 2 });
  });
});

describe('seconds per language', () => {
  const programme = [
    {
      durationSec: 45,
      segments: [
        { kind: 'chime' as const, startSec: 0, durationSec: 3 },
        { kind: 'language' as const, language: 'vie', startSec: 3, durationSec: 20 },
        { kind: 'language' as const, language: 'hmn', startSec: 24.5, durationSec: 20 },
      ],
    },
  ];
  it('splits the seconds aired over the languages in the order they air', () => {
    expect(languageSeconds(programme, 45)).toEqual([
      { language: 'vie', plannedSec: 20, airedSec: 20 },
      { language: 'hmn', plannedSec: 20, airedSec: 20 },
    ]);
    const cut = languageSeconds(programme, 30);
    expect(cut).toEqual([
      { language: 'vie', plannedSec: 20, airedSec: 20 },
      { language: 'hmn', plannedSec: 20, airedSec: 5.5 },
    ]);
    expect(minLanguageShare(cut)).toBe(0.275);
    expect(languageSeconds(programme, 0).every((l) => l.airedSec === 0)).toBe(true);
  });
  it('adds up a language that airs again later in the plan, after the gap', () => {
    const twice = languageSeconds(
      [...programme, { ...programme[0], gapBeforeSec: 5 } as (typeof programme)[0]],
      80,
    );
    expect(twice).toEqual([
      { language: 'vie', plannedSec: 40, airedSec: 40 },
      { language: 'hmn', plannedSec: 40, airedSec: 20 + (80 - 50 - 24.5) },
    ]);
    expect(minLanguageShare([])).toBeNull();
  });
});

describe('what counts as a session held', () => {
  const rec = (status: string, share: number | null, kind = 'SLOT') => ({
    broadcastKind: kind,
    status,
    minLanguageShare: share,
  });
  it('counts an airing whose every language reached the share, and reports the rest by outcome', () => {
    expect(sessionOutcome(rec('AIRED', 1))).toBe('held');
    expect(sessionOutcome(rec('PARTIAL', 0.92))).toBe('held');
    expect(sessionOutcome(rec('PARTIAL', 0.89))).toBe('partial');
    expect(sessionOutcome(rec('PARTIAL', 0.92), { minLanguageShare: 0.95 })).toBe('partial');
    expect(sessionOutcome(rec('PREEMPTED', 0.99))).toBe('preempted');
    expect(sessionOutcome(rec('MISSED', 0))).toBe('missed');
    expect(sessionOutcome(rec('AIRED', null, 'TEST'))).toBe('test');
    expect(sessionOutcome(rec('AIRED', null, 'EMERGENCY'))).toBe('held');
    expect(sessionOutcome(rec('PARTIAL', null))).toBe('partial');
  });
  it('counts one cluster × one occurrence once', () => {
    const held = { ...rec('AIRED', 1), clusterId: 'c1', occurrenceKey: 'slot:s:2026-04-13' };
    expect(countHeld([held, { ...held }, { ...held, clusterId: 'c2' }, { ...held, status: 'FAILED' }])).toBe(
      2,
    );
  });
  it('reads the share as a fraction or a percentage, and refuses nonsense', () => {
    expect(parseMinLanguageShare('0.9')).toBe(0.9);
    expect(parseMinLanguageShare('95%')).toBe(0.95);
    expect(() => parseMinLanguageShare('0')).toThrow(/\(0, 1\]/);
    expect(() => parseMinLanguageShare('abc')).toThrow();
  });
});

describe('chain heads in exports', () => {
  const heads = [
    { commune: 'B02', seq: 12, hash: 'b'.repeat(64) },
    { commune: 'A01', seq: 24, hash: 'a'.repeat(64) },
  ];
  it('print as one line and are found again in plain text, in a CSV cell and among other braces', () => {
    const line = formatChainHeads(heads);
    expect(line).toBe(
      `{"chainHeads":[{"commune":"A01","seq":24,"hash":"${'a'.repeat(64)}"},{"commune":"B02","seq":12,"hash":"${'b'.repeat(64)}"}]}`,
    );
    expect(findChainHeads(`Báo cáo quý 2\n${line}\n`)).toEqual([heads[1], heads[0]]);
    const csv = `\uFEFFXã,Số buổi\n"{""filters"":{}}"\n"${line.replaceAll('"', '""')}"\n`;
    expect(findChainHeads(csv)).toHaveLength(2);
    expect(() => findChainHeads('no heads here {"chainHeads": 3}')).toThrow(/chainHeads/);
  });
});
