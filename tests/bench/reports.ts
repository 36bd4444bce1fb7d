/**
 * Reports benchmark (issue 13): 1,000,000 session records over 5 years, 200 communes (25
 * provinces), 2,000 clusters, on PostgreSQL and on PGlite (on a data directory, as `npm start`
 * keeps it). Times (median of 5, after one warm-up) the quarterly count grouped by commune ×
 * language over every commune — from the rollup (what the API reads) and, beside it, by folding the
 * raw records (the path before the rollup, and the one taken under another counting share) — the
 * planned-vs-aired view of one commune-quarter (exceptions page + summary), and one drill-down
 * page (50 records of a commune-quarter-language, held), all through the repository the API uses;
 * then `loa log verify` over every record.
 *
 * The records are real chains: made here with the canonical body and hash session_record_append
 * computes, and written a batch at a time with jsonb_populate_recordset (the append-only triggers
 * stay on: they refuse UPDATE, DELETE and TRUNCATE, not INSERT). Only the append's per-record
 * rollup maintenance is bypassed, so the rollup is then built by session_rollup_rebuild — the
 * migration's backfill, timed too. Each table row carries the host's 1-minute load average.
 * LOA_BENCH_REPORT_RECORDS (default 1,000,000), LOA_BENCH_REPORT_RECORDS_PGLITE (default the same),
 * LOA_BENCH_DB=postgres,pglite, LOA_BENCH_VERIFY=0 leaves `loa log verify` out (minutes at a million).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePeriod } from '../../domain/reports/query.ts';
import { chainHash, GENESIS_HASH, recordBody } from '../../domain/session-log/canonical.ts';
import { openDatabase } from '../../prisma/database.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import {
  countSessions,
  plannedVersusAired,
  type ReportRequest,
  sessionRecords,
} from '../../prisma/repositories/reports.ts';
import { rebuildRollup } from '../../prisma/repositories/session-rollup.ts';
import { verifyLog } from '../../prisma/repositories/session-verification.ts';
import { benchDatabase } from './postgres.ts';

const COMMUNES = 200;
const CLUSTERS_PER_COMMUNE = 10;
const RECORDS = Number(process.env.LOA_BENCH_REPORT_RECORDS ?? 1_000_000);
const PGLITE_RECORDS = Number(process.env.LOA_BENCH_REPORT_RECORDS_PGLITE ?? RECORDS);
const BATCH = 5_000;
const START = Date.parse('2021-12-31T17:00:00Z'); // 2022-01-01 in Vietnam
const SPAN_MS = 5 * 365.25 * 24 * 3600_000;
const LANGUAGES = ['hmn', 'tay', 'dao', 'tai'];
const PROGRAMMES = [
  'Vì chủ quyền an ninh biên giới',
  'Phòng chống dịch bệnh',
  'Phòng chống thiên tai',
  'Pháp luật và đời sống',
  'Nông nghiệp',
];

type Opened = Awaited<ReturnType<typeof benchDatabase>>;

const hex12 = (n: number) => n.toString(16).padStart(12, '0');
const communeId = (c: number) => `00000000-0000-4000-8000-${hex12(c)}`;
const clusterId = (c: number, k: number) => `00000000-0000-4000-9000-${hex12(c * CLUSTERS_PER_COMMUNE + k)}`;
const slotId = (c: number) => `00000000-0000-4000-a000-${hex12(c)}`;
const broadcastId = (n: number) => `00000000-0000-4000-b000-${hex12(n)}`;
const localDay = (at: Date) => new Date(at.getTime() + 7 * 3600_000).toISOString().slice(0, 10);

const SHARES_PARTIAL = [0.8, 0.9, 1];

/** The values of record n that vary (commune n % 200 at position n / 200 of its chain, over 5 years). */
function varying(n: number, perCommune: number) {
  const c = n % COMMUNES;
  const p = Math.floor(n / COMMUNES);
  const at = new Date(START + Math.floor((p * SPAN_MS) / perCommune));
  const m = n % 100;
  const st =
    m < 85
      ? 'AIRED'
      : m < 89
        ? 'PARTIAL'
        : m < 93
          ? 'FAILED'
          : m < 96
            ? 'MISSED'
            : m < 98
              ? 'PREEMPTED'
              : 'CANCELLED';
  const share =
    st === 'AIRED' ? 1 : st === 'PARTIAL' ? (SHARES_PARTIAL[n % 3] as number) : st === 'PREEMPTED' ? 0.3 : 0;
  const day = localDay(at);
  const k = p % CLUSTERS_PER_COMMUNE;
  return {
    communeId: communeId(c),
    seq: p + 1,
    broadcastId: broadcastId(n),
    recordedAt: new Date(at.getTime() + 240_000),
    communeCode: `C${String(c).padStart(3, '0')}`,
    communeName: `Xã Biên Giới ${c}`,
    province: `Tỉnh ${c % 25}`,
    clusterId: clusterId(c, k),
    clusterName: `Cụm loa ${k}`,
    slotId: slotId(c),
    occurrenceKey: `slot:${slotId(c)}:${day}`,
    marketDay: day,
    programme: PROGRAMMES[Math.floor(n / 3) % 5] as string,
    language: LANGUAGES[Math.floor(n / 7) % 4] as string,
    airedSec: 120 * share,
    minLanguageShare: share,
    secondsAired: 240 * share,
    scheduledAt: at,
    firstAudioAt: st === 'MISSED' || st === 'CANCELLED' ? null : at,
    endedAt: new Date(at.getTime() + 240_000),
    skewMs: n % 97,
    status: st,
    reasonCode: st === 'AIRED' ? null : st.toLowerCase(),
    reason: st === 'AIRED' ? null : `Lý do ${st.toLowerCase()}`,
  };
}

type Varying = ReturnType<typeof varying>;

/**
 * The canonical body of a record with each varying value as a marker: recordBody itself made it,
 * so a record's body is this text with the markers replaced by the JSON of its values (what
 * canonicalJson writes for a string, number, null or instant) — a million bodies in seconds.
 */
function bodyTemplate(): (v: Varying) => string {
  const mark = (name: keyof Varying) => `@@${name}@@` as never;
  const template = recordBody({
    communeId: mark('communeId'),
    kind: 'ENDED',
    broadcastId: mark('broadcastId'),
    broadcastKind: 'SLOT',
    recordedAt: mark('recordedAt'),
    communeCode: mark('communeCode'),
    communeName: mark('communeName'),
    province: mark('province'),
    clusterId: mark('clusterId'),
    clusterName: mark('clusterName'),
    clusterLocation: '',
    slotId: mark('slotId'),
    slotName: 'Phát buổi sáng',
    slotTimeOfDay: '07:30',
    calendarName: null,
    requestId: null,
    occurrenceKey: mark('occurrenceKey'),
    marketDay: mark('marketDay'),
    lunarDate: null,
    priority: 'NORMAL',
    bulletins: [{ id: mark('slotId'), title: 'Bản tin', programme: mark('programme') }],
    bulletinIds: [mark('slotId')],
    programmes: [mark('programme')],
    renditionSha256: ['a'.repeat(64)],
    languages: ['vie', mark('language')],
    languageSeconds: [
      { language: 'vie', plannedSec: 120, airedSec: mark('airedSec') },
      { language: mark('language'), plannedSec: 120, airedSec: mark('airedSec') },
    ],
    minLanguageShare: mark('minLanguageShare'),
    durationSec: 241,
    secondsAired: mark('secondsAired'),
    scheduledAt: mark('scheduledAt'),
    claimedAt: mark('scheduledAt'),
    firstAudioAt: mark('firstAudioAt'),
    endedAt: mark('endedAt'),
    skewMs: mark('skewMs'),
    spreadMs: null,
    attempts: 1,
    status: mark('status'),
    reasonCode: mark('reasonCode'),
    reason: mark('reason'),
    driverKind: 'RECORDER',
    profileId: 'wav-l16',
    receipt: null,
    triggeredById: null,
    triggeredBy: null,
    triggerReason: null,
    preemptedById: null,
  });
  const json = (value: unknown) =>
    value instanceof Date
      ? JSON.stringify(value.toISOString())
      : value === null
        ? 'null'
        : JSON.stringify(value);
  return (v) => template.replace(/"@@(\w+)@@"/g, (_, name: keyof Varying) => json(v[name]));
}

/**
 * The communes, clusters and `records` chained records. The hashes are computed here from the
 * canonical body; the rows are written by SQL that makes the very same values (checked: every
 * chain verifies at the end of the bench), with the hashes passed in, a batch at a time.
 */
async function seed(db: Opened, records: number, database: string): Promise<void> {
  const run = (sql: string, ...values: unknown[]) => db.prisma.$executeRawUnsafe(sql, ...values);
  const uuid = (prefix: string, n: string) =>
    `('00000000-0000-4000-${prefix}-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
  await run(`INSERT INTO commune (id, code, name, province, languages, "updatedAt")
             SELECT ${uuid('8000', 'i')}, 'C'||lpad(i::text, 3, '0'), 'Xã Biên Giới '||i, 'Tỉnh '||(i % 25),
                    ARRAY['vie','hmn'], now()
             FROM generate_series(0, ${COMMUNES - 1}) i`);
  await run(`INSERT INTO cluster (id, "communeId", name, "updatedAt")
             SELECT ${uuid('9000', `i * ${CLUSTERS_PER_COMMUNE} + j`)}, ${uuid('8000', 'i')}, 'Cụm loa '||j, now()
             FROM generate_series(0, ${COMMUNES - 1}) i, generate_series(0, ${CLUSTERS_PER_COMMUNE - 1}) j`);
  const perCommune = Math.ceil(records / COMMUNES);
  const body = bodyTemplate();
  const heads = new Map<string, string>();
  const began = performance.now();
  for (let from = 0; from < records; from += BATCH) {
    const to = Math.min(records, from + BATCH);
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (let n = from; n < to; n++) {
      const v = varying(n, perCommune);
      const prev = heads.get(v.communeId) ?? GENESIS_HASH;
      const hash = chainHash(v.seq, prev, body(v));
      heads.set(v.communeId, hash);
      prevs.push(prev);
      hashes.push(hash);
    }
    if (from % 50_000 === 0 && from > 0) {
      progress(database, `${from.toLocaleString('en')} records`, performance.now() - began);
    }
    await run(
      `INSERT INTO session_record ("communeId", seq, "prevHash", hash, "broadcastId", "broadcastKind", "recordedAt",
        "communeCode", "communeName", province, "clusterId", "clusterName", "slotId", "slotName", "slotTimeOfDay",
        "occurrenceKey", "marketDay", priority, bulletins, "bulletinIds", programmes, "renditionSha256", languages,
        "languageSeconds", "minLanguageShare", "durationSec", "secondsAired", "scheduledAt", "claimedAt",
        "firstAudioAt", "endedAt", "skewMs", attempts, status, "reasonCode", reason, "driverKind", "profileId")
      SELECT ${uuid('8000', 'c')}, p + 1, prev, hash, ${uuid('b000', 'n')}, 'SLOT', at + interval '240 seconds',
             'C'||lpad(c::text, 3, '0'), 'Xã Biên Giới '||c, 'Tỉnh '||(c % 25),
             ${uuid('9000', `c * ${CLUSTERS_PER_COMMUNE} + p % ${CLUSTERS_PER_COMMUNE}`)},
             'Cụm loa '||(p % ${CLUSTERS_PER_COMMUNE}), ${uuid('a000', 'c')}, 'Phát buổi sáng', '07:30',
             'slot:'||${uuid('a000', 'c')}||':'||day, day, 'NORMAL',
             jsonb_build_array(jsonb_build_object('id', ${uuid('a000', 'c')}, 'title', 'Bản tin', 'programme', prog)),
             ARRAY[${uuid('a000', 'c')}], ARRAY[prog], ARRAY[repeat('a', 64)], ARRAY['vie', lang],
             jsonb_build_array(jsonb_build_object('language', 'vie', 'plannedSec', 120, 'airedSec', 120 * share),
                               jsonb_build_object('language', lang, 'plannedSec', 120, 'airedSec', 120 * share)),
             share, 241, 240 * share, at, at, CASE WHEN st IN ('MISSED', 'CANCELLED') THEN NULL ELSE at END,
             at + interval '240 seconds', (n % 97)::float8, 1, st::"BroadcastStatus",
             CASE WHEN st <> 'AIRED' THEN lower(st) END, CASE WHEN st <> 'AIRED' THEN 'Lý do '||lower(st) END,
             'RECORDER', 'wav-l16'
        FROM (SELECT n, c, p, at, prev, hash, st,
                     to_char((at AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM-DD') AS day,
                     (ARRAY['hmn','tay','dao','tai'])[1 + (n / 7) % 4] AS lang,
                     (ARRAY['Vì chủ quyền an ninh biên giới','Phòng chống dịch bệnh','Phòng chống thiên tai',
                            'Pháp luật và đời sống','Nông nghiệp'])[1 + (n / 3) % 5] AS prog,
                     CASE st WHEN 'AIRED' THEN 1::float8 WHEN 'PARTIAL' THEN (ARRAY[0.8, 0.9, 1]::float8[])[1 + n % 3]
                             WHEN 'PREEMPTED' THEN 0.3::float8 ELSE 0::float8 END AS share
                FROM (SELECT n, n % ${COMMUNES} AS c, n / ${COMMUNES} AS p, prev, hash,
                             'epoch'::timestamptz
                               + (${START}::float8 + floor((n / ${COMMUNES})::float8 * ${SPAN_MS} / ${perCommune}))
                               * interval '1 millisecond' AS at,
                             (CASE WHEN n % 100 < 85 THEN 'AIRED' WHEN n % 100 < 89 THEN 'PARTIAL'
                                   WHEN n % 100 < 93 THEN 'FAILED' WHEN n % 100 < 96 THEN 'MISSED'
                                   WHEN n % 100 < 98 THEN 'PREEMPTED' ELSE 'CANCELLED' END) AS st
                        FROM (SELECT ${from}::bigint + i - 1 AS n, ($1::text[])[i] AS prev, ($2::text[])[i] AS hash
                                FROM generate_subscripts($1::text[], 1) i) h) g) x`,
      prevs,
      hashes,
    );
  }
  progress(database, `${records.toLocaleString('en')} records inserted`, performance.now() - began);
  await run('ANALYZE');
}

/** A line on stderr per phase: at a million records on PGlite the bench runs for many minutes. */
function progress(database: string, phase: string, ms: number): void {
  process.stderr.write(`reports bench, ${database}: ${phase} in ${(ms / 1000).toFixed(1)} s\n`);
}

async function median(times: number, work: () => Promise<unknown>): Promise<number> {
  await work(); // warm-up: plans and caches
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)] as number;
}

const load = () => loadavg()[0]?.toFixed(1) ?? '';

async function benchOne(
  name: string,
  db: Opened,
  records: number,
): Promise<Record<string, string | number>[]> {
  await applyMigrations(db.adapterFactory);
  const rows: Record<string, string | number>[] = [];
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const add = (query: string, ms: number, raw?: number) =>
    rows.push({
      query,
      database: name,
      sessions: records,
      ms: round(ms),
      'raw records, ms': raw === undefined ? '' : round(raw),
      load: load(),
    });
  const seeding = performance.now();
  await seed(db, records, name);
  const seedMs = performance.now() - seeding;
  progress(name, `${records.toLocaleString('en')} records made`, seedMs);
  const building = performance.now();
  const rollupRows = await rebuildRollup(db.prisma, 0.9);
  await db.prisma.$executeRawUnsafe('ANALYZE session_rollup');
  const buildMs = performance.now() - building;
  progress(name, 'rollup built', buildMs);
  const querying = performance.now();
  const quarter = resolvePeriod({ period: '2024-Q3' });
  const base: ReportRequest = { period: quarter, filters: {}, share: 0.9, scope: { communeIds: null } };
  const oneCommune = (await db.prisma.commune.findFirstOrThrow({ where: { code: 'C042' } })).id;
  const counts = (source: 'auto' | 'raw') => () =>
    countSessions(db.prisma, base, ['commune', 'language'], source);
  const fromRollup = await countSessions(db.prisma, base, ['commune', 'language']);
  const fromRecords = await countSessions(db.prisma, base, ['commune', 'language'], 'raw');
  if (JSON.stringify(fromRollup.total.held) !== JSON.stringify(fromRecords.total.held))
    throw new Error('the rollup and the records disagree on the quarter');
  add(
    'quarter count, commune × language (all communes)',
    await median(5, counts('auto')),
    await median(5, counts('raw')),
  );
  const communeQuarter = { ...base, filters: { communeId: oneCommune } };
  add(
    'planned vs aired, one commune-quarter',
    await median(5, () => plannedVersusAired(db.prisma, communeQuarter, { exceptionsOnly: true, limit: 50 })),
  );
  add(
    'drill-down page (commune-quarter, hmn, held, 50)',
    await median(5, () =>
      sessionRecords(
        db.prisma,
        { ...communeQuarter, filters: { communeId: oneCommune, language: 'hmn' } },
        { outcome: 'held', limit: 50 },
      ),
    ),
  );
  progress(name, 'queries timed', performance.now() - querying);
  if (process.env.LOA_BENCH_VERIFY !== '0') {
    const verifying = performance.now();
    const verified = await verifyLog(db.prisma);
    const verifyMs = performance.now() - verifying;
    if (!verified.ok) throw new Error('the chains do not verify');
    const checked = verified.chains.reduce((s, c) => s + c.records, 0);
    add(`loa log verify, every chain (${checked.toLocaleString('en')} records)`, verifyMs);
  }
  add(`(rollup built from the records: ${rollupRows.toLocaleString('en')} rows, for information)`, buildMs);
  add('(chained records made and inserted, for information)', seedMs);
  return rows;
}

/** PGlite on a data directory (as `npm start` keeps it): a million records do not sit in WASM memory. */
async function pgliteOnDisk(): Promise<Opened> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-bench-pglite-'));
  const db = await openDatabase({ kind: 'pglite', dataDir: dir });
  return {
    ...db,
    drop: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function benchReports() {
  const rows: Record<string, string | number>[] = [];
  const which = (process.env.LOA_BENCH_DB ?? 'postgres,pglite').split(',');
  if (which.includes('postgres')) {
    const pg = await benchDatabase();
    try {
      rows.push(...(await benchOne('postgres', pg, RECORDS)));
    } finally {
      await pg.drop();
    }
  }
  if (which.includes('pglite')) {
    const lite = await pgliteOnDisk();
    try {
      rows.push(...(await benchOne('pglite', lite, PGLITE_RECORDS)));
    } finally {
      await lite.drop();
    }
  }
  return { title: 'Reports', rows };
}
