// The auditors' reports on a simulated quarter: every number the API gives is recomputed here
// from the raw session records (and the broadcasts still pending) with the domain's counting
// rule; the drill-down reaches the records behind a number and on to the recording; exports made
// by the export job read back (XLSX with exceljs, CSV with csv-parse) with Vietnamese intact and
// the API's counts; `loa log verify --against` the export passes, and fails once a chain is
// rewritten consistently. Negative cases: wrong role, other commune, malformed queries.
import { readFile } from 'node:fs/promises';
import { Worker } from 'bullmq';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CommandFailed, UsageError } from '../../cli/command.ts';
import { verifyCommand } from '../../cli/log.ts';
import { reportCommand } from '../../cli/report.ts';
import { chainHash, recordBody } from '../../domain/session-log/canonical.ts';
import { type SessionOutcome, sessionOutcome } from '../../domain/session-log/counting.ts';
import { openRedis } from '../../platform/redis.ts';
import { exportReport } from '../../worker/jobs/export-report.ts';
import { QUARTER, type SimulatedQuarter, simulateQuarter } from '../integration/reports/quarter.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let world: TestWorld;
let q: SimulatedQuarter;
let admin: SignedIn;
let auditor: SignedIn;
let worker: Worker;

type Raw = Awaited<ReturnType<TestWorld['db']['prisma']['sessionRecord']['findMany']>>[number];
let records: Raw[];

const START = new Date('2026-06-30T17:00:00Z');
const END = new Date('2026-09-30T17:00:00Z');

beforeAll(async () => {
  world = await createTestWorld();
  q = await simulateQuarter(world);
  admin = await signIn(world.app, 'admin');
  auditor = await signIn(world.app, 'auditor');
  records = await world.db.prisma.sessionRecord.findMany();
  // The export job, run by a BullMQ worker on this world's queue, as worker/main.ts runs it.
  worker = new Worker(
    'maintenance',
    async (job) => exportReport(world.db.prisma, world.mediaDir, job.data.exportId),
    { connection: openRedis(inject('redisUrl'), 'worker'), prefix: world.prefix },
  );
}, 180_000);

afterAll(async () => {
  await worker?.close();
  await world?.close();
});

/** What the rule makes of each record of the quarter (test tones left out: never sessions). */
function quarterRecords(filter: (r: Raw) => boolean = () => true) {
  return records.filter(
    (r) => r.broadcastKind !== 'TEST' && r.scheduledAt >= START && r.scheduledAt < END && filter(r),
  );
}
const outcome = (r: Raw): SessionOutcome => sessionOutcome(r);

function tally(rs: Raw[], language?: string) {
  const occ = (r: Raw) => `${r.clusterId}|${r.occurrenceKey}`;
  const by = (o: SessionOutcome) => rs.filter((r) => outcome(r) === o);
  const seconds = rs.reduce((s, r) => {
    if (!language) return s + r.secondsAired;
    const ls = (r.languageSeconds as { language: string; airedSec: number }[]).find(
      (l) => l.language === language,
    );
    return s + (ls?.airedSec ?? 0);
  }, 0);
  return {
    planned: new Set(rs.map(occ)).size,
    held: new Set(by('held').map(occ)).size,
    partial: by('partial').length,
    failed: by('failed').length,
    missed: by('missed').length,
    preempted: by('preempted').length,
    cancelled: by('cancelled').length,
    minutesAired: Math.round((seconds / 60) * 100) / 100,
  };
}

describe('reports of a simulated quarter', () => {
  it('the quarter has what it should: offline cluster, preemption, short airings', () => {
    const qs = quarterRecords();
    expect(qs.filter((r) => r.reasonCode === 'cluster-offline')).toHaveLength(5);
    expect(qs.filter((r) => r.status === 'PREEMPTED').map((r) => r.broadcastId)).toEqual([q.preemptedId]);
    expect(qs.filter((r) => outcome(r) === 'partial')).toHaveLength(1);
    expect(qs.filter((r) => r.status === 'PARTIAL' && outcome(r) === 'held')).toHaveLength(1);
  });

  it('counts by commune × language equal a recount from the raw records', async () => {
    const res = await admin.agent
      .get('/api/reports/sessions')
      .query({ period: QUARTER, groupBy: 'commune,language' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const keys = new Set<string>();
    for (const r of quarterRecords()) for (const l of r.languages) keys.add(`${r.communeId}|${l}`);
    expect(res.body.rows).toHaveLength(keys.size);
    for (const row of res.body.rows) {
      const [communeId, language] = row.keys;
      const expected = tally(
        quarterRecords((r) => r.communeId === communeId && r.languages.includes(language)),
        language,
      );
      expect(row).toMatchObject(expected);
      expect(row.successRate).toBeCloseTo(expected.held / expected.planned, 10);
    }
    const all = tally(quarterRecords());
    expect(res.body.total).toMatchObject({ ...all, minutesAired: expect.any(Number) });
    // 16 market days × 3 clusters in A + 1 emergency, 16 in B minus the pending one.
    expect(res.body.total.planned).toBe(16 * 3 + 1 + 15);
    expect(res.body.chainHeads.map((h: { commune: string }) => h.commune).sort()).toEqual(
      ['99001', '99002'].sort(),
    );
    expect(res.body.rule.minLanguageShare).toBe(0.9);
  });

  it('counts by month and by programme equal a recount; an auditor sees only their commune', async () => {
    const months = await admin.agent
      .get('/api/reports/sessions')
      .query({ period: QUARTER, groupBy: 'month' });
    expect(months.body.rows.map((r: { keys: string[] }) => r.keys[0])).toEqual([
      '2026-07',
      '2026-08',
      '2026-09',
    ]);
    for (const row of months.body.rows) {
      const m = Number(row.keys[0].slice(5)) - 1;
      expect(row).toMatchObject(
        tally(quarterRecords((r) => new Date(r.scheduledAt.getTime() + 7 * 3600_000).getUTCMonth() === m)),
      );
    }
    const programmes = await admin.agent
      .get('/api/reports/sessions')
      .query({ from: '2026-07-01', to: '2026-09-30', groupBy: 'programme' });
    const names = programmes.body.rows.map((r: { keys: string[] }) => r.keys[0]);
    expect(names).toContain('Vì chủ quyền an ninh biên giới');
    expect(names).toContain('Phòng chống thiên tai');
    for (const row of programmes.body.rows)
      expect(row).toMatchObject(tally(quarterRecords((r) => r.programmes.includes(row.keys[0]))));

    const own = await auditor.agent
      .get('/api/reports/sessions')
      .query({ period: QUARTER, groupBy: 'cluster' });
    expect(own.status).toBe(200);
    expect(new Set(own.body.rows.map((r: { keys: string[] }) => r.keys[0]))).toEqual(new Set(q.clustersA));
    expect(own.body.total).toMatchObject(tally(quarterRecords((r) => r.communeId === q.communeA)));
    expect(own.body.chainHeads.map((h: { commune: string }) => h.commune)).toEqual(['99001']);
  });

  it('planned vs aired: every planned occurrence and what became of it, the exceptions with reasons', async () => {
    const broadcasts = await world.db.prisma.broadcast.findMany({
      where: { scheduledAt: { gte: START, lt: END }, kind: { not: 'TEST' } },
    });
    const recordOf = new Map(records.map((r) => [r.broadcastId, r]));
    const expected = new Map(
      broadcasts.map((b) => {
        const r = recordOf.get(b.id);
        return [b.id, { outcome: r ? outcome(r) : 'pending', reasonCode: b.reasonCode }];
      }),
    );
    const rows: { broadcastId: string; outcome: string; reasonCode: string | null }[] = [];
    let cursor: string | undefined;
    let body: Record<string, unknown> = {};
    do {
      const res = await admin.agent
        .get('/api/reports/planned')
        .query({ period: QUARTER, limit: 7, ...(cursor ? { cursor } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      body = res.body;
      rows.push(...res.body.rows);
      cursor = res.body.next ?? undefined;
    } while (cursor);
    const exceptions = [...expected].filter(([, e]) => e.outcome !== 'held');
    expect(rows.map((r) => r.broadcastId).sort()).toEqual(exceptions.map(([id]) => id).sort());
    for (const row of rows) expect(row).toMatchObject(expected.get(row.broadcastId) as object);
    const outcomes = { held: 0, partial: 0, failed: 0, missed: 0, preempted: 0, cancelled: 0, pending: 0 };
    for (const e of expected.values()) outcomes[e.outcome as keyof typeof outcomes]++;
    expect(body.outcomes).toEqual(outcomes);
    expect(outcomes).toMatchObject({
      pending: 1,
      preempted: 1,
      failed: 5,
      missed: 1,
      cancelled: 1,
      partial: 1,
    });
    expect(body.reasons).toContainEqual({ outcome: 'failed', reasonCode: 'cluster-offline', count: 5 });
    expect(rows.find((r) => r.broadcastId === q.pendingId)).toMatchObject({ outcome: 'pending' });
  });

  it('drills from a count to the records behind it, on to the recording and receipt', async () => {
    const counts = await auditor.agent
      .get('/api/reports/sessions')
      .query({ period: QUARTER, groupBy: 'cluster,language' });
    const row = counts.body.rows.find(
      (r: { keys: string[] }) => r.keys[0] === q.offlineCluster && r.keys[1] === 'hmn',
    );
    expect(row).toMatchObject({ held: 11, failed: 5 });
    const seen: { broadcastId: string; outcome: string; recordingUrl: string | null; languages: string[] }[] =
      [];
    let cursor: string | undefined;
    do {
      const res = await auditor.agent.get('/api/reports/records').query({
        period: QUARTER,
        clusterId: q.offlineCluster,
        language: 'hmn',
        outcome: 'held',
        limit: 4,
        ...(cursor ? { cursor } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      seen.push(...res.body.records);
      cursor = res.body.next ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(row.held);
    expect(new Set(seen.map((r) => r.broadcastId)).size).toBe(row.held);
    for (const r of seen) {
      expect(r.outcome).toBe('held');
      expect(r.languages).toEqual(['vie', 'hmn']);
      expect(r.recordingUrl).toBe(`/api/broadcasts/${r.broadcastId}/recording`);
    }
    // The recording route answers for the record's broadcast (no file was recorded here: 404 no-recording).
    const rec = await auditor.agent.get(seen[0]?.recordingUrl as string);
    expect(rec.status).toBe(404);
    expect(rec.body.code).toBe('no-recording');
    const failed = await auditor.agent
      .get('/api/reports/records')
      .query({ period: QUARTER, clusterId: q.offlineCluster, outcome: 'failed' });
    expect(failed.body.records.map((r: { reasonCode: string }) => r.reasonCode)).toEqual(
      Array(5).fill('cluster-offline'),
    );
  });

  it('refuses the wrong role, another commune and malformed queries with problem codes', async () => {
    const officer = await signIn(world.app, 'officer');
    const forbidden = await officer.agent.get('/api/reports/sessions').query({ period: QUARTER });
    expect([forbidden.status, forbidden.body.code]).toEqual([403, 'forbidden']);
    const anonymous = await request(world.app).get('/api/reports/sessions').query({ period: QUARTER });
    expect(anonymous.status).toBe(401);
    const other = await auditor.agent
      .get('/api/reports/sessions')
      .query({ period: QUARTER, communeId: q.communeB });
    expect([other.status, other.body.code]).toEqual([404, 'not-found']);
    const otherRecords = await auditor.agent
      .get('/api/reports/records')
      .query({ period: QUARTER, communeId: q.communeB });
    expect(otherRecords.status).toBe(404);
    for (const query of [
      { period: QUARTER, groupBy: 'village' },
      { period: QUARTER, groupBy: 'commune,language,month' },
      { from: '2026-07-01' },
      { from: '2026-09-01', to: '2026-07-01' },
      { period: '2026-Q5' },
      { period: QUARTER, cursor: 'x' },
      { period: QUARTER, unknown: '1' },
    ]) {
      const res = await admin.agent.get('/api/reports/sessions').query(query);
      const records = await admin.agent.get('/api/reports/records').query(query);
      expect([res.status, res.headers['content-type']], JSON.stringify(query)).toEqual([
        400,
        expect.stringContaining('application/problem+json'),
      ]);
      expect(records.status, JSON.stringify(query)).toBe(400);
    }
  });
});

async function exportOf(who: SignedIn, format: 'csv' | 'xlsx') {
  const asked = await who.send('POST', '/api/reports/exports', {
    format,
    period: QUARTER,
    groupBy: ['commune', 'language'],
  });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  let status = asked.body;
  for (let i = 0; i < 200 && status.state !== 'done' && status.state !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    status = (await who.agent.get(`/api/reports/exports/${asked.body.id}`)).body;
  }
  expect(status).toMatchObject({ state: 'done', progress: 1 });
  const file = await who.agent
    .get(status.fileUrl)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
  expect(file.status).toBe(200);
  expect(file.headers['content-disposition']).toContain(`bao-cao-buoi-phat-2026-07-01-2026-09-30.${format}`);
  return { id: asked.body.id as string, body: file.body as Buffer };
}

describe('exports of the quarter', () => {
  let counts: { rows: { labels: string[]; keys: string[]; planned: number; held: number }[] };
  let xlsxPath: string;
  let csvPath: string;
  beforeAll(async () => {
    counts = (
      await admin.agent.get('/api/reports/sessions').query({ period: QUARTER, groupBy: 'commune,language' })
    ).body;
  });

  it('XLSX reads back with exceljs: period, rule, chain heads, counts equal to the API, diacritics intact', async () => {
    const { id, body } = await exportOf(admin, 'xlsx');
    xlsxPath = `${world.mediaDir}/exports/${id}.xlsx`;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Báo cáo');
    if (!sheet) throw new Error('no report sheet');
    const rows = sheet.getSheetValues().slice(1) as (ExcelJS.CellValue[] | undefined)[];
    const byFirst = (text: string) => rows.find((r) => r?.[1] === text);
    expect(byFirst('Kỳ báo cáo / Period')?.slice(2, 4)).toEqual(['2026-07-01', '2026-09-30']);
    expect(String(byFirst('Quy tắc đếm / Counting rule')?.[2])).toContain('90 %');
    expect(String(byFirst('Đỉnh chuỗi nhật ký / Chain heads')?.[2])).toMatch(/^\{"chainHeads":\[/);
    for (const row of counts.rows) {
      const line = rows.find((r) => r?.[1] === row.labels[0] && r?.[2] === row.labels[1]);
      expect(line?.slice(3, 5), row.labels.join(' × ')).toEqual([row.planned, row.held]);
    }
    expect(rows.some((r) => r?.[1] === 'Xã Dào San (dữ liệu mẫu)')).toBe(true);
    const exceptions = workbook.getWorksheet('Ngoại lệ');
    const texts = JSON.stringify(exceptions?.getSheetValues());
    expect(texts).toContain('Cụm loa không phản hồi');
    expect(texts).toContain('Nhường phát khẩn cấp');
    expect(workbook.getWorksheet('Bản ghi')?.rowCount).toBe(2 + quarterRecords().length);
  });

  it('CSV reads back with csv-parse: BOM, diacritics, counts equal to the API', async () => {
    const { id, body } = await exportOf(admin, 'csv');
    csvPath = `${world.mediaDir}/exports/${id}.csv`;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(body.toString('utf8'), { bom: true, relax_column_count: true });
    expect(rows[0]?.[0]).toBe('Báo cáo buổi phát loa / Loudspeaker broadcast sessions report');
    for (const row of counts.rows) {
      const line = rows.find((r) => r[0] === row.labels[0] && r[1] === row.labels[1]);
      expect(line?.slice(2, 4).map(Number), row.labels.join(' × ')).toEqual([row.planned, row.held]);
    }
    expect(rows.flat()).toContain('Phát buổi sáng Lũng Cú');
    expect(await readFile(csvPath)).toEqual(body);
  });

  it('another user cannot read an export; bad export requests are refused', async () => {
    const { id } = await exportOf(admin, 'csv');
    const res = await auditor.agent.get(`/api/reports/exports/${id}`);
    expect([res.status, res.body.code]).toEqual([404, 'not-found']);
    const bad = await admin.send('POST', '/api/reports/exports', { format: 'pdf', period: QUARTER });
    expect(bad.status).toBe(400);
  });

  it('`loa report` writes the same report from the command line; bad options are usage errors', async () => {
    const out = `${world.dataDir}/quý-3.xlsx`;
    const result = await reportCommand(world.db.prisma, [
      '--period',
      QUARTER,
      '--format',
      'xlsx',
      '--group-by',
      'commune,language',
      '--out',
      out,
    ]);
    expect(result).toMatchObject({ file: out, period: { from: '2026-07-01', to: '2026-09-30' } });
    // Grouped by language, minutes are the languages' own (the chime and gaps left out).
    expect(result.total).toMatchObject({ ...tally(quarterRecords()), minutesAired: expect.any(Number) });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    const rows = workbook.getWorksheet('Báo cáo')?.getSheetValues() as ExcelJS.CellValue[][];
    for (const row of counts.rows) {
      const line = rows.find((r) => r?.[1] === row.labels[0] && r?.[2] === row.labels[1]);
      expect(line?.slice(3, 5)).toEqual([row.planned, row.held]);
    }
    expect((await verifyCommand(world.db.prisma, ['--against', out])).ok).toBe(true);
    for (const args of [
      ['--period', QUARTER],
      ['--period', QUARTER, '--format', 'pdf'],
      ['--period', QUARTER, '--format', 'csv', '--group-by', 'village'],
      ['--from', '2026-07-01', '--format', 'csv'],
      ['--period', QUARTER, '--format', 'csv', '--commune', 'NOPE'],
    ])
      await expect(reportCommand(world.db.prisma, args), args.join(' ')).rejects.toBeInstanceOf(UsageError);
  });

  it('`loa log verify --against` the exports passes, and fails after a consistent rewrite of a chain', async () => {
    for (const file of [xlsxPath, csvPath])
      expect((await verifyCommand(world.db.prisma, ['--against', file])).ok).toBe(true);
    // Someone with database access edits a record and re-chains everything after it.
    const db = world.db.prisma;
    const chain = await db.sessionRecord.findMany({
      where: { communeId: q.communeA },
      orderBy: { seq: 'asc' },
    });
    await db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(
        'ALTER TABLE session_record DISABLE TRIGGER session_record_no_update_delete',
      );
      // An offline cluster's failure turned into a whole airing, and every later record re-chained.
      const from = chain.findIndex((r) => r.status === 'FAILED');
      let prev = (chain[from] as Raw).prevHash;
      for (const record of chain.slice(from)) {
        const edited =
          record.seq === chain[from]?.seq
            ? { ...record, status: 'AIRED' as const, secondsAired: 41 }
            : record;
        const hash = chainHash(record.seq, prev, recordBody(edited));
        const changed =
          await tx.$executeRaw`UPDATE session_record SET status = ${edited.status}::"BroadcastStatus",
          "secondsAired" = ${edited.secondsAired}, "prevHash" = ${prev}, hash = ${hash}
          WHERE "communeId" = ${record.communeId}::uuid AND seq = ${record.seq}`;
        expect(changed).toBe(1);
        prev = hash;
      }
      await tx.$executeRawUnsafe('ALTER TABLE session_record ENABLE TRIGGER session_record_no_update_delete');
    });
    // The chains verify on their own…
    expect((await verifyCommand(db, [])).ok).toBe(true);
    // …but no longer pass through the heads the exports printed.
    for (const file of [xlsxPath, csvPath]) {
      const caught = await verifyCommand(db, ['--against', file]).catch((e: unknown) => e);
      expect(caught).toBeInstanceOf(CommandFailed);
      expect(JSON.stringify((caught as CommandFailed).output)).toContain('"commune":"99001","seq"');
    }
  });
});
