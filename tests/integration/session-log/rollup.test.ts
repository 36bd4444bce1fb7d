// The rollups the auditors' counts read (session_rollup by day, session_rollup_month) against the raw fold of the records, on
// both databases: after a mix of endings appended through session_record_append (aired, partial
// above and below the share, failed, missed, preempted then re-aired the same day, re-aired after
// midnight, re-aired with another plan, emergencies, one to three languages, test tones), every
// grouping and filter gives the same counts from the rollup as from the records; a rebuild gives
// the rows the appends made; another share falls back to the records until the rollup is rebuilt
// for it (`loa log rollup`); and nobody but the two functions writes the rollup.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupCommand } from '../../../cli/log.ts';
import {
  DIMENSIONS,
  type Dimension,
  type ReportFilters,
  resolvePeriod,
} from '../../../domain/reports/query.ts';
import { type RecordBodySource, recordBody } from '../../../domain/session-log/canonical.ts';
import { applyMigrations } from '../../../prisma/migrate.ts';
import {
  type CountReport,
  countSessions,
  type ReportRequest,
  rollupApplies,
} from '../../../prisma/repositories/reports.ts';
import { rebuildRollup, rollupShare } from '../../../prisma/repositories/session-rollup.ts';
import { databaseKinds, type TestDatabaseKind } from '../../setup/databases.ts';

type Opened = Awaited<ReturnType<TestDatabaseKind['open']>>;

/** A small deterministic PRNG (mulberry32): the mix is the same on every run. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMUNES = [
  { id: randomUUID(), code: '98001', name: 'Xã Pa Vệ Sủ', province: 'Lai Châu' },
  { id: randomUUID(), code: '98002', name: 'Xã Thu Lũm', province: 'Lai Châu' },
  { id: randomUUID(), code: '98003', name: 'Xã Hữu Kiệm', province: 'Nghệ An' },
];
const CLUSTERS = COMMUNES.flatMap((c) =>
  [1, 2, 3].map((i) => ({ commune: c, id: randomUUID(), name: `Cụm ${i}` })),
);
const PROGRAMMES = ['Vì chủ quyền an ninh biên giới', 'Phòng chống thiên tai', 'Nông nghiệp'];
const PLANS: { languages: string[]; programmes: string[] }[] = [
  { languages: ['vie', 'hmn'], programmes: [PROGRAMMES[0] as string] },
  { languages: ['vie', 'tay'], programmes: [PROGRAMMES[1] as string, PROGRAMMES[2] as string] },
  { languages: ['vie'], programmes: [PROGRAMMES[2] as string] },
  { languages: ['vie', 'hmn', 'dao'], programmes: [] },
  { languages: [], programmes: [PROGRAMMES[0] as string] },
];
const STATUSES = [
  'AIRED',
  'AIRED',
  'AIRED',
  'PARTIAL',
  'PARTIAL',
  'FAILED',
  'MISSED',
  'PREEMPTED',
  'CANCELLED',
];
const SHARES = [1, 0.97, 0.9, 0.85, 0.8, 0.4];

interface Ending {
  cluster: (typeof CLUSTERS)[number];
  occurrenceKey: string;
  marketDay: string | null;
  kind: 'SLOT' | 'EMERGENCY' | 'TEST';
  at: Date;
  plan: (typeof PLANS)[number];
  status: string;
  share: number;
  skewMs: number | null;
}

function record(e: Ending): RecordBodySource {
  const planned = 60;
  const languageSeconds = e.plan.languages.map((language, i) => ({
    language,
    plannedSec: planned,
    // The last language bears the shortfall, as a cut-short airing does.
    airedSec: i === e.plan.languages.length - 1 ? planned * e.share : planned,
  }));
  const aired = languageSeconds.reduce((s, l) => s + l.airedSec, 0);
  const noLanguage = e.plan.languages.length === 0;
  return {
    communeId: e.cluster.commune.id,
    kind: 'ENDED',
    broadcastId: randomUUID(),
    broadcastKind: e.kind,
    recordedAt: new Date(e.at.getTime() + 120_000),
    communeCode: e.cluster.commune.code,
    communeName: e.cluster.commune.name,
    province: e.cluster.commune.province,
    clusterId: e.cluster.id,
    clusterName: e.cluster.name,
    clusterLocation: '',
    slotId: null,
    slotName: null,
    slotTimeOfDay: null,
    calendarName: null,
    requestId: null,
    occurrenceKey: e.occurrenceKey,
    marketDay: e.marketDay,
    lunarDate: null,
    priority: e.kind === 'EMERGENCY' ? 'EMERGENCY' : 'NORMAL',
    bulletins: [],
    bulletinIds: [],
    programmes: e.plan.programmes,
    renditionSha256: [],
    languages: e.plan.languages,
    languageSeconds,
    minLanguageShare: noLanguage ? null : Math.min(...languageSeconds.map((l) => l.airedSec / l.plannedSec)),
    durationSec: planned * Math.max(1, e.plan.languages.length),
    secondsAired: noLanguage ? planned * e.share : aired,
    scheduledAt: e.at,
    claimedAt: e.at,
    firstAudioAt: e.status === 'MISSED' || e.status === 'CANCELLED' ? null : e.at,
    endedAt: new Date(e.at.getTime() + 120_000),
    skewMs: e.skewMs,
    spreadMs: null,
    attempts: 1,
    status: e.status,
    reasonCode: e.status === 'AIRED' ? null : e.status.toLowerCase(),
    reason: null,
    driverKind: 'RECORDER',
    profileId: 'wav-l16',
    receipt: null,
    triggeredById: null,
    triggeredBy: null,
    triggerReason: null,
    preemptedById: null,
  };
}

async function append(db: Opened, e: Ending) {
  const r = record(e);
  await db.prisma.$queryRaw`SELECT session_record_append(${JSON.stringify(r)}::jsonb, ${recordBody(r)})`;
}

/** Local (UTC+7) day + hour → instant. */
const localAt = (day: string, hour: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + (hour - 7) * 3600_000);
const dayAfter = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * The mix: market days around the Q2/Q3 boundary and inside Q3, each cluster one slot occurrence
 * per day; some occurrences re-aired (same day and plan, after midnight, or another plan), some
 * emergencies, test tones; appended in a shuffled order (chains do not follow time).
 */
function endings(seed: number): Ending[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const days = ['2026-06-29', '2026-06-30', '2026-07-01', '2026-07-02', '2026-08-15', '2026-09-30'];
  const out: Ending[] = [];
  for (const day of days)
    for (const cluster of CLUSTERS) {
      if (rnd() < 0.2) continue;
      const first: Ending = {
        cluster,
        occurrenceKey: `slot:${cluster.commune.id}:${day}`,
        marketDay: day,
        kind: 'SLOT',
        at: localAt(day, 7 + rnd() * 2),
        plan: pick(PLANS),
        status: pick(STATUSES),
        share: pick(SHARES),
        skewMs: rnd() < 0.2 ? null : Math.round(rnd() * 4000) / 100,
      };
      out.push(first);
      const again = rnd();
      if (again < 0.45) {
        // Re-aired: the same day and plan, after midnight (the next local day), or another plan.
        const at =
          again < 0.25
            ? new Date(first.at.getTime() + 3 * 3600_000)
            : again < 0.35
              ? localAt(dayAfter(day), 0.5)
              : new Date(first.at.getTime() + 3600_000);
        const plan = again >= 0.35 ? pick(PLANS) : first.plan;
        out.push({ ...first, at, plan, status: pick(STATUSES), share: pick(SHARES) });
        if (rnd() < 0.3)
          out.push({ ...first, at: new Date(at.getTime() + 600_000), status: 'AIRED', share: 1 });
      }
      if (rnd() < 0.15) {
        const requestId = randomUUID();
        const at = localAt(day, 13 + rnd() * 10);
        const emergency: Ending = {
          cluster,
          occurrenceKey: `request:${requestId}`,
          marketDay: rnd() < 0.5 ? null : day,
          kind: 'EMERGENCY',
          at,
          plan: pick(PLANS),
          status: pick(STATUSES),
          share: pick(SHARES),
          skewMs: 2,
        };
        out.push(emergency);
        if (emergency.status === 'PREEMPTED')
          out.push({ ...emergency, at: localAt(day, 23.9), status: 'AIRED' });
      }
      if (rnd() < 0.1)
        out.push({ ...first, kind: 'TEST', occurrenceKey: `request:${randomUUID()}`, status: 'AIRED' });
    }
  // Shuffle (Fisher–Yates): a re-air may even be appended before the airing it repeats.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as Ending, out[i] as Ending];
  }
  return out;
}

/** Every grouping: none, one dimension, two. */
const GROUPINGS: Dimension[][] = [
  [],
  ...DIMENSIONS.map((d) => [d]),
  ...DIMENSIONS.flatMap((a, i) => DIMENSIONS.slice(i + 1).map((b) => [a, b])),
];

function comparable(report: CountReport) {
  // Sums of floats in another order may differ in the last bits: minutes are rounded already.
  const round = (n: number | null) => (n === null ? null : Math.round(n * 1e6) / 1e6);
  return [...report.rows, report.total].map((r) => ({
    ...r,
    avgSkewMs: round(r.avgSkewMs),
    maxSkewMs: round(r.maxSkewMs),
  }));
}

/** A few groupings for the filtered requests (every one for the whole periods). */
const SOME: Dimension[][] = [[], ['commune', 'language'], ['cluster', 'programme'], ['marketDay'], ['month']];

async function expectRollupEqualsRaw(db: Opened, req: ReportRequest, groupings = SOME) {
  expect(await rollupApplies(db.prisma, req)).toBe(true);
  for (const groupBy of groupings) {
    const [rolled, raw] = await Promise.all([
      countSessions(db.prisma, req, groupBy),
      countSessions(db.prisma, req, groupBy, 'raw'),
    ]);
    expect(comparable(rolled), `${groupBy.join(',')} ${JSON.stringify(req.filters)}`).toEqual(
      comparable(raw),
    );
  }
}

/** Both rollups' rows (day and month), floats rounded (sums in another order). */
async function rollupRows(db: Opened) {
  const days = await db.prisma.sessionRollup.findMany({
    orderBy: [{ day: 'asc' }, { clusterId: 'asc' }, { marketDay: 'asc' }, { shape: 'asc' }],
  });
  const months = await db.prisma.sessionRollupMonth.findMany({
    orderBy: [
      { month: 'asc' },
      { byLanguage: 'asc' },
      { byProgramme: 'asc' },
      { communeId: 'asc' },
      { language: 'asc' },
      { programme: 'asc' },
    ],
  });
  const round = (n: number) => Math.round(n * 1e6);
  return {
    days: days.map((r) => ({
      ...r,
      secondsAired: round(r.secondsAired),
      skewSum: round(r.skewSum),
      languageSeconds: r.languageSeconds.map(round),
    })),
    months: months.map((r) => ({ ...r, secondsAired: round(r.secondsAired), skewSum: round(r.skewSum) })),
  };
}

describe.each(databaseKinds)('the reports rollup on $name', (kind) => {
  let db: Opened;
  let mix: Ending[];
  const request = (filters: ReportFilters = {}, period = resolvePeriod({ period: '2026-Q3' })) => ({
    period,
    filters,
    share: 0.9,
    scope: { communeIds: null },
  });

  beforeAll(async () => {
    db = await kind.open();
    await applyMigrations(db.adapterFactory);
    mix = endings(13);
    for (const e of mix) await append(db, e);
  }, 180_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('the mix has re-airs in one row, across midnight and with another plan', async () => {
    const occurrences = new Map<string, Ending[]>();
    for (const e of mix.filter((x) => x.kind !== 'TEST')) {
      const key = `${e.cluster.id}|${e.occurrenceKey}`;
      occurrences.set(key, [...(occurrences.get(key) ?? []), e]);
    }
    const many = [...occurrences.values()].filter((es) => es.length > 1);
    expect(many.length).toBeGreaterThan(10);
    const spans = await db.prisma.sessionRollupSpan.count();
    expect(spans).toBeGreaterThan(2);
    expect(spans).toBeLessThan(many.length);
    expect(mix.filter((e) => e.plan.languages.length === 3).length).toBeGreaterThan(3);
  });

  it('gives the counts of the raw records for every grouping, period and filter', async () => {
    await expectRollupEqualsRaw(db, request(), GROUPINGS);
    await expectRollupEqualsRaw(
      db,
      request({}, resolvePeriod({ from: '2026-06-30', to: '2026-07-01' })),
      GROUPINGS,
    );
    await expectRollupEqualsRaw(db, request({ language: 'hmn' }));
    await expectRollupEqualsRaw(db, request({ programme: PROGRAMMES[0] as string, province: 'Lai Châu' }));
    const cluster = CLUSTERS[4] as (typeof CLUSTERS)[number];
    await expectRollupEqualsRaw(db, request({ clusterId: cluster.id, month: '2026-07' }));
    await expectRollupEqualsRaw(db, request({ communeId: cluster.commune.id, marketDay: '2026-07-01' }));
    const scoped = { ...request({ quarter: '2026-Q3' }), scope: { communeIds: [cluster.commune.id] } };
    await expectRollupEqualsRaw(db, scoped);
  }, 180_000);

  it('a rebuild gives the rows the appends made', async () => {
    const appended = await rollupRows(db);
    expect(appended.days.length).toBeGreaterThan(50);
    expect(appended.months.length).toBeGreaterThan(50);
    expect(await rebuildRollup(db.prisma, 0.9)).toBe(appended.days.length);
    expect(await rollupRows(db)).toEqual(appended);
  });

  it('another share folds the records until the rollup is rebuilt for it', async () => {
    const other = { ...request(), share: 0.8 };
    expect(await rollupApplies(db.prisma, other)).toBe(false);
    const raw = await countSessions(db.prisma, other, ['commune', 'language'], 'raw');
    expect(comparable(await countSessions(db.prisma, other, ['commune', 'language']))).toEqual(
      comparable(raw),
    );
    // `loa log rollup` rebuilds it under the configured share.
    const saved = process.env.LOA_SESSION_MIN_LANGUAGE_SHARE;
    process.env.LOA_SESSION_MIN_LANGUAGE_SHARE = '80%';
    try {
      expect(await rollupCommand(db.prisma, [])).toMatchObject({ share: 0.8, previousShare: 0.9 });
    } finally {
      if (saved === undefined) delete process.env.LOA_SESSION_MIN_LANGUAGE_SHARE;
      else process.env.LOA_SESSION_MIN_LANGUAGE_SHARE = saved;
    }
    expect(await rollupShare(db.prisma)).toBe(0.8);
    await expectRollupEqualsRaw(db, other);
    // Appends after the rebuild count under the new share too.
    for (const e of endings(14).slice(0, 40)) await append(db, e);
    await expectRollupEqualsRaw(db, other);
    await rebuildRollup(db.prisma, 0.9);
  }, 120_000);

  it('is written only by the append and the rebuild', async () => {
    for (const sql of [
      'UPDATE session_rollup SET held = held + 1',
      'DELETE FROM session_rollup',
      'TRUNCATE session_rollup',
      'DELETE FROM session_rollup_month',
      `INSERT INTO session_rollup_span VALUES ('${randomUUID()}', 'slot:x')`,
      'UPDATE session_rollup_rule SET share = 0.5',
    ])
      await expect(db.prisma.$executeRawUnsafe(sql), sql).rejects.toThrow(/written only by/);
    expect(await rollupShare(db.prisma)).toBe(0.9);
  });
});
