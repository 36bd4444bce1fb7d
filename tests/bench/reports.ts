/**
 * Reports benchmark (issue 13): 1,000,000 session records over 5 years, 200 communes (25
 * provinces), 2,000 clusters, on PGlite and on PostgreSQL. Times (median of 5, after one warm-up)
 * the quarterly count grouped by commune × language over every commune, the planned-vs-aired view
 * of one commune-quarter (exceptions page + summary), and one drill-down page (50 records of a
 * commune-quarter-language, held), all through the repository the API uses.
 *
 * The million is written with one INSERT … SELECT generate_series per 100,000 rows, straight into
 * session_record: the append-only triggers stay enabled (they refuse UPDATE, DELETE and TRUNCATE,
 * not INSERT), only session_record_append (the per-commune lock and the hash) is bypassed, so these
 * records carry placeholder hashes. `loa log verify` is therefore timed on a real chain of
 * VERIFY_RECORDS records hashed with the real canonical body in TypeScript, and extrapolated
 * linearly to the million (verification streams each chain in seq order: its cost is per record).
 */
import { randomUUID } from 'node:crypto';
import { resolvePeriod } from '../../domain/reports/query.ts';
import { chainHash, GENESIS_HASH, recordBody } from '../../domain/session-log/canonical.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import {
  countSessions,
  plannedVersusAired,
  type ReportRequest,
  sessionRecords,
} from '../../prisma/repositories/reports.ts';
import { verifyLog } from '../../prisma/repositories/session-verification.ts';
import { pgliteKind } from '../setup/databases.ts';
import { benchDatabase } from './postgres.ts';

const COMMUNES = 200;
const CLUSTERS_PER_COMMUNE = 10;
const RECORDS = Number(process.env.LOA_BENCH_REPORT_RECORDS ?? 1_000_000);
const VERIFY_RECORDS = 20_000;
const BATCH = 100_000;
const START = Date.parse('2021-12-31T17:00:00Z'); // 2022-01-01 in Vietnam
const SPAN_MS = 5 * 365.25 * 24 * 3600_000;

type Opened = Awaited<ReturnType<typeof pgliteKind.open>>;

async function seed(db: Opened): Promise<void> {
  const run = (sql: string) => db.prisma.$executeRawUnsafe(sql);
  await run(`INSERT INTO commune (id, code, name, province, languages, "updatedAt")
             SELECT md5('c'||i)::uuid, 'C'||lpad(i::text, 3, '0'), 'Xã Biên Giới '||i, 'Tỉnh '||(i % 25),
                    ARRAY['vie','hmn'], now()
             FROM generate_series(0, ${COMMUNES - 1}) i`);
  await run(`INSERT INTO cluster (id, "communeId", name, "updatedAt")
             SELECT md5('k'||i||'-'||j)::uuid, md5('c'||i)::uuid, 'Cụm loa '||j, now()
             FROM generate_series(0, ${COMMUNES - 1}) i, generate_series(0, ${CLUSTERS_PER_COMMUNE - 1}) j`);
  // Record n belongs to commune n % 200 at position n / 200 of its chain, spread evenly over 5 years.
  const perCommune = Math.ceil(RECORDS / COMMUNES);
  for (let from = 0; from < RECORDS; from += BATCH) {
    const to = Math.min(RECORDS, from + BATCH) - 1;
    await run(`
      INSERT INTO session_record ("communeId", seq, "prevHash", hash, "broadcastId", "broadcastKind", "recordedAt",
        "communeCode", "communeName", province, "clusterId", "clusterName", "slotId", "slotName", "slotTimeOfDay",
        "occurrenceKey", "marketDay", priority, bulletins, "bulletinIds", programmes, "renditionSha256", languages,
        "languageSeconds", "minLanguageShare", "durationSec", "secondsAired", "scheduledAt", "firstAudioAt",
        "endedAt", "skewMs", attempts, status, "reasonCode", reason, "driverKind", "profileId")
      SELECT md5('c'||c)::uuid, p + 1, repeat('0', 64), encode(sha256(convert_to(n::text, 'UTF8')), 'hex'),
             md5('b'||n)::uuid, 'SLOT', at, 'C'||lpad(c::text, 3, '0'), 'Xã Biên Giới '||c, 'Tỉnh '||(c % 25),
             md5('k'||c||'-'||(p % ${CLUSTERS_PER_COMMUNE}))::uuid, 'Cụm loa '||(p % ${CLUSTERS_PER_COMMUNE}),
             md5('s'||c)::uuid, 'Phát buổi sáng', '07:30',
             'slot:'||md5('s'||c)::uuid||':'||to_char(at + interval '7 hours', 'YYYY-MM-DD'),
             to_char(at + interval '7 hours', 'YYYY-MM-DD'), 'NORMAL', '[]'::jsonb, '{}', ARRAY[prog], '{}',
             ARRAY['vie', lang],
             jsonb_build_array(jsonb_build_object('language', 'vie', 'plannedSec', 120, 'airedSec', 120 * share),
                               jsonb_build_object('language', lang, 'plannedSec', 120, 'airedSec', 120 * share)),
             share, 241, 240 * share, at, at, at + interval '4 minutes', (n % 97)::float8, 1,
             st::"BroadcastStatus", CASE WHEN st <> 'AIRED' THEN lower(st) END,
             CASE WHEN st <> 'AIRED' THEN 'Lý do '||lower(st) END, 'RECORDER', 'wav-l16'
        FROM (SELECT n, n % ${COMMUNES} AS c, n / ${COMMUNES} AS p,
                     timestamptz '${new Date(START).toISOString()}'
                       + ((n / ${COMMUNES})::float8 * ${SPAN_MS / perCommune}) * interval '1 millisecond' AS at,
                     (ARRAY['hmn','tay','dao','tai'])[1 + (n / 7) % 4] AS lang,
                     (ARRAY['Vì chủ quyền an ninh biên giới','Phòng chống dịch bệnh','Phòng chống thiên tai',
                            'Pháp luật và đời sống','Nông nghiệp'])[1 + (n / 3) % 5] AS prog,
                     (CASE WHEN n % 100 < 85 THEN 'AIRED' WHEN n % 100 < 89 THEN 'PARTIAL'
                           WHEN n % 100 < 93 THEN 'FAILED' WHEN n % 100 < 96 THEN 'MISSED'
                           WHEN n % 100 < 98 THEN 'PREEMPTED' ELSE 'CANCELLED' END) AS st
                FROM generate_series(${from}, ${to}) n) g,
             LATERAL (SELECT CASE WHEN st = 'AIRED' THEN 1.0 WHEN st = 'PARTIAL' THEN 0.8 + (n % 3) * 0.1
                                  WHEN st = 'PREEMPTED' THEN 0.3 ELSE 0 END AS share) s`);
  }
  await run('ANALYZE');
}

/** A real chain: VERIFY_RECORDS records of one commune, hashed as session_record_append does. */
async function seedRealChain(db: Opened): Promise<string> {
  const communeId = randomUUID();
  const code = 'VERIFY';
  await db.prisma.commune.create({
    data: { id: communeId, code, name: 'Xã Kiểm Chứng', province: 'Lai Châu', languages: ['vie', 'hmn'] },
  });
  let prev = GENESIS_HASH;
  for (let from = 0; from < VERIFY_RECORDS; from += 2000) {
    const rows = [];
    for (let i = from; i < Math.min(VERIFY_RECORDS, from + 2000); i++) {
      const at = new Date(START + i * 3_600_000);
      const body = {
        communeId,
        kind: 'ENDED' as const,
        broadcastId: randomUUID(),
        broadcastKind: 'SLOT' as const,
        recordedAt: at,
        communeCode: code,
        communeName: 'Xã Kiểm Chứng',
        province: 'Lai Châu',
        clusterId: communeId,
        clusterName: 'Cụm loa trung tâm',
        clusterLocation: '',
        slotId: null,
        slotName: 'Phát buổi sáng',
        slotTimeOfDay: '07:30',
        calendarName: null,
        requestId: null,
        occurrenceKey: `slot:x:${i}`,
        marketDay: at.toISOString().slice(0, 10),
        lunarDate: { year: 2022, month: 1, day: 1, leap: false },
        priority: 'NORMAL' as const,
        bulletins: [{ id: communeId, title: 'Bản tin', programme: 'Nông nghiệp' }],
        bulletinIds: [communeId],
        programmes: ['Nông nghiệp'],
        renditionSha256: ['a'.repeat(64)],
        languages: ['vie', 'hmn'],
        languageSeconds: [
          { language: 'vie', plannedSec: 120, airedSec: 120 },
          { language: 'hmn', plannedSec: 120, airedSec: 120 },
        ],
        minLanguageShare: 1,
        durationSec: 241,
        secondsAired: 241,
        scheduledAt: at,
        claimedAt: at,
        firstAudioAt: at,
        endedAt: at,
        skewMs: 3,
        spreadMs: null,
        attempts: 1,
        status: 'AIRED' as const,
        reasonCode: null,
        reason: null,
        driverKind: 'RECORDER' as const,
        profileId: 'wav-l16',
        receipt: null,
        triggeredById: null,
        triggeredBy: null,
        triggerReason: null,
        preemptedById: null,
      };
      const seq = i + 1;
      const hash = chainHash(seq, prev, recordBody(body));
      rows.push({ ...body, seq, prevHash: prev, hash });
      prev = hash;
    }
    // Straight in (no session_record_append): the hashes above are the ones it would compute.
    await db.prisma.sessionRecord.createMany({ data: rows as never });
  }
  return code;
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

async function benchOne(name: string, db: Opened): Promise<Record<string, string | number>[]> {
  await applyMigrations(db.adapterFactory);
  const seeding = performance.now();
  await seed(db);
  const seedSec = (performance.now() - seeding) / 1000;
  const sessions = await db.prisma.sessionRecord.count();
  const quarter = resolvePeriod({ period: '2024-Q3' });
  const base: ReportRequest = { period: quarter, filters: {}, share: 0.9, scope: { communeIds: null } };
  const oneCommune = (await db.prisma.commune.findFirstOrThrow({ where: { code: 'C042' } })).id;
  const rows: Record<string, string | number>[] = [];
  const add = (query: string, ms: number) =>
    rows.push({ query, database: name, sessions, ms: Math.round(ms * 10) / 10 });
  add(
    'quarter count, commune × language (all communes)',
    await median(5, () => countSessions(db.prisma, base, ['commune', 'language'])),
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
        {
          outcome: 'held',
          limit: 50,
        },
      ),
    ),
  );
  const code = await seedRealChain(db);
  const verified = await median(1, async () => {
    const result = await verifyLog(db.prisma, { communeCode: code });
    if (!result.ok) throw new Error('the real chain does not verify');
  });
  add(`loa log verify, ${VERIFY_RECORDS.toLocaleString('en')} real records`, verified);
  add(
    `loa log verify, extrapolated to ${RECORDS.toLocaleString('en')}`,
    (verified * RECORDS) / VERIFY_RECORDS,
  );
  add('(bulk insert of the records, for information)', seedSec * 1000);
  return rows;
}

export async function benchReports() {
  const rows: Record<string, string | number>[] = [];
  const which = (process.env.LOA_BENCH_DB ?? 'pglite,postgres').split(',');
  if (which.includes('postgres')) {
    const pg = await benchDatabase();
    try {
      rows.push(...(await benchOne('postgres', pg as unknown as Opened)));
    } finally {
      await pg.drop();
    }
  }
  if (which.includes('pglite')) {
    const lite = await pgliteKind.open();
    try {
      rows.push(...(await benchOne('pglite', lite)));
    } finally {
      await lite.drop();
    }
  }
  return { title: 'Reports', rows };
}
