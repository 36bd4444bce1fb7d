// Writes the quarterly report as a file an auditor can hand on: CSV (UTF-8 with a byte-order mark,
// so Excel reads Vietnamese right) or XLSX. Each file prints its period, filters, the counting
// rule and the chain heads it was made from (`loa log verify --against <file>`), then the counts,
// planned vs aired with every exception and its reason, and every record of the period. Records
// and exceptions are read a page at a time and written as they come (a quarter of the whole
// country is tens of thousands of rows), reporting progress; the file is renamed into place only
// once complete.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { ExportFormat } from '../../domain/reports/export.ts';
import type { Dimension } from '../../domain/reports/query.ts';
import { describeCountingRule } from '../../domain/session-log/counting.ts';
import { formatChainHeads } from '../../domain/session-log/heads.ts';
import type { Db } from '../../prisma/repositories/db.ts';
import {
  type CountRow,
  countSessions,
  type PlannedRow,
  plannedVersusAired,
  type RecordRow,
  type ReportRequest,
  reportChainHeads,
  sessionRecords,
} from '../../prisma/repositories/reports.ts';

const PAGE = 1000;

export const DIMENSION_TITLES: Record<Dimension, string> = {
  province: 'Tỉnh / Province',
  commune: 'Xã / Commune',
  cluster: 'Cụm loa / Cluster',
  language: 'Ngôn ngữ / Language',
  programme: 'Chuyên mục / Programme',
  marketDay: 'Phiên chợ / Market day',
  month: 'Tháng / Month',
  quarter: 'Quý / Quarter',
};

export const COUNT_TITLES = [
  'Kế hoạch / Planned',
  'Đã phát / Held',
  'Phát thiếu / Partial',
  'Lỗi / Failed',
  'Bỏ lỡ / Missed',
  'Bị ngắt / Preempted',
  'Huỷ / Cancelled',
  'Phút đã phát / Minutes aired',
  'Tỉ lệ thành công / Success rate',
  'Độ lệch TB ms / Avg skew ms',
];

const EXCEPTION_TITLES = [
  'Giờ phát / Scheduled (UTC)',
  'Xã / Commune',
  'Cụm loa / Cluster',
  'Khung giờ / Slot',
  'Phiên chợ / Market day',
  'Loại / Kind',
  'Kết quả / Outcome',
  'Mã lý do / Reason code',
  'Lý do / Reason',
  'Giây đã phát / Seconds aired',
  'Thời lượng / Duration s',
  'Buổi phát / Broadcast',
];

const RECORD_TITLES = [
  'Xã / Commune',
  'Số thứ tự / Seq',
  'Giờ phát / Scheduled (UTC)',
  'Cụm loa / Cluster',
  'Khung giờ / Slot',
  'Phiên chợ / Market day',
  'Âm lịch / Lunar date',
  'Chuyên mục / Programmes',
  'Ngôn ngữ / Languages',
  'Giây đã phát / Seconds aired',
  'Tỉ lệ ngôn ngữ nhỏ nhất / Min language share',
  'Độ lệch ms / Skew ms',
  'Trạng thái / Status',
  'Kết quả / Outcome',
  'Lý do / Reason',
  'Buổi phát / Broadcast',
  'Mã băm / Hash',
];

type Cell = string | number | null;

export interface ExportProgress {
  rows: number;
  /** 0…1 */
  progress: number;
}

export interface ExportOptions {
  format: ExportFormat;
  groupBy: Dimension[];
  out: string;
  onProgress?: (p: ExportProgress) => Promise<void> | void;
  now?: Date;
}

/** Writes the export to `out`; returns the number of data rows written. */
export async function writeReportExport(db: Db, req: ReportRequest, options: ExportOptions): Promise<number> {
  // The heads first: every record the file counts is at or before them, or appended while it was made.
  const heads = await reportChainHeads(db, req);
  const counts = await countSessions(db, req, options.groupBy);
  const planned = await plannedVersusAired(db, req, { exceptionsOnly: true, limit: 1 });
  const recordCount = Object.entries(planned.outcomes)
    .filter(([o]) => o !== 'pending')
    .reduce((n, [, c]) => n + c, 0);
  const exceptionCount = planned.reasons.reduce((n, r) => n + r.count, 0);
  const total = Math.max(1, recordCount + exceptionCount);
  const rule = describeCountingRule({ minLanguageShare: req.share });
  const header: Cell[][] = [
    ['Báo cáo buổi phát loa / Loudspeaker broadcast sessions report'],
    ['Kỳ báo cáo / Period', req.period.from, req.period.to],
    ['Bộ lọc / Filters', filterText(req)],
    ['Nhóm theo / Grouped by', options.groupBy.map((d) => DIMENSION_TITLES[d]).join(' × ')],
    ['Quy tắc đếm / Counting rule', rule.vi, rule.en],
    ['Lập lúc / Made at', (options.now ?? new Date()).toISOString()],
    ['Đỉnh chuỗi nhật ký / Chain heads', formatChainHeads(heads)],
  ];
  const tmp = `${options.out}.${process.pid}.part`;
  await mkdir(dirname(options.out), { recursive: true });
  const sink = options.format === 'csv' ? csvSink(tmp) : xlsxSink(tmp);
  let written = 0;
  const progress = async () =>
    options.onProgress?.({ rows: written, progress: Math.min(1, written / total) });
  try {
    await sink.section('Báo cáo', header, [
      ...options.groupBy.map((d) => DIMENSION_TITLES[d]),
      ...COUNT_TITLES,
    ]);
    for (const row of counts.rows) await sink.row(countCells(row, row.labels.map(labelOf)));
    await sink.row(
      countCells(
        counts.total,
        options.groupBy.map((_, i) => (i === 0 ? 'Tổng / Total' : '')),
      ),
    );
    await sink.section(
      'Kế hoạch - thực tế',
      [['Kế hoạch và thực tế / Planned vs aired']],
      ['Kết quả / Outcome', 'Mã lý do / Reason code', 'Số / Count'],
    );
    for (const [outcome, count] of Object.entries(planned.outcomes)) await sink.row([outcome, '', count]);
    for (const r of planned.reasons) await sink.row([r.outcome, r.reasonCode ?? '', r.count]);
    await sink.section('Ngoại lệ', [['Ngoại lệ / Exceptions']], EXCEPTION_TITLES);
    let cursor: string | undefined;
    do {
      const page = await plannedVersusAired(db, req, {
        exceptionsOnly: true,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      for (const row of page.rows) await sink.row(exceptionCells(row));
      written += page.rows.length;
      await progress();
      cursor = page.next ?? undefined;
    } while (cursor);
    await sink.section('Bản ghi', [['Bản ghi nhật ký / Log records']], RECORD_TITLES);
    cursor = undefined;
    do {
      const page = await sessionRecords(db, req, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const record of page.records) await sink.row(recordCells(record));
      written += page.records.length;
      await progress();
      cursor = page.next ?? undefined;
    } while (cursor);
    await sink.close();
    await rename(tmp, options.out);
  } catch (err) {
    await sink.abort();
    await rm(tmp, { force: true });
    throw err;
  }
  await options.onProgress?.({ rows: written, progress: 1 });
  return written;
}

function labelOf(label: string | null): string {
  return label ?? '—';
}

function filterText(req: ReportRequest): string {
  const entries = Object.entries(req.filters).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? 'không / none' : entries.map(([k, v]) => `${k}=${v}`).join('; ');
}

function countCells(row: CountRow, labels: string[]): Cell[] {
  return [
    ...labels,
    row.planned,
    row.held,
    row.partial,
    row.failed,
    row.missed,
    row.preempted,
    row.cancelled,
    row.minutesAired,
    row.successRate === null ? null : Math.round(row.successRate * 10000) / 10000,
    row.avgSkewMs === null ? null : Math.round(row.avgSkewMs * 10) / 10,
  ];
}

function exceptionCells(r: PlannedRow): Cell[] {
  return [
    r.scheduledAt.toISOString(),
    r.communeName,
    r.clusterName,
    r.slotName,
    r.marketDay,
    r.kind,
    r.outcome,
    r.reasonCode,
    r.reason,
    r.secondsAired,
    r.durationSec,
    r.broadcastId,
  ];
}

function recordCells(r: RecordRow): Cell[] {
  const lunar = r.lunarDate as { day: number; month: number; year: number; leap: boolean } | null;
  return [
    `${r.communeName} (${r.communeCode})`,
    r.seq,
    r.scheduledAt.toISOString(),
    r.clusterName,
    r.slotName,
    r.marketDay,
    lunar ? `${lunar.day}/${lunar.month}${lunar.leap ? ' nhuận' : ''}/${lunar.year}` : null,
    r.programmes.join('; '),
    r.languages.join(', '),
    r.secondsAired,
    r.minLanguageShare,
    r.skewMs,
    r.status,
    r.outcome,
    r.reason,
    r.broadcastId,
    r.hash,
  ];
}

interface Sink {
  /** A new part: its own sheet in XLSX, a blank line and its heading lines in CSV. */
  section(name: string, heading: Cell[][], columns: string[]): Promise<void>;
  row(cells: Cell[]): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

function csvSink(path: string): Sink {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let first = true;
  return {
    async section(_name, heading, columns) {
      await write(
        `${first ? '\uFEFF' : '\r\n'}${stringify([...heading, columns], { record_delimiter: '\r\n' })}`,
      );
      first = false;
    },
    row: (cells) => write(stringify([cells], { record_delimiter: '\r\n' })),
    async close() {
      out.end();
      await once(out, 'finish');
    },
    async abort() {
      out.destroy();
    },
  };
}

function xlsxSink(path: string): Sink {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true });
  let sheet: ExcelJS.Worksheet | null = null;
  return {
    async section(name, heading, columns) {
      sheet?.commit();
      sheet = workbook.addWorksheet(name);
      for (const line of heading) sheet.addRow(line).commit();
      const head = sheet.addRow(columns);
      head.font = { bold: true };
      head.commit();
    },
    async row(cells) {
      sheet?.addRow(cells).commit();
    },
    async close() {
      sheet?.commit();
      await workbook.commit();
    },
    async abort() {
      // exceljs has no abort: finish the part file so its stream closes; the caller removes it.
      await workbook.commit().catch(() => {});
    },
  };
}
