// `loa report --from YYYY-MM-DD --to YYYY-MM-DD | --period YYYY-Qn --format csv|xlsx
//   [--group-by commune,language] [--province P] [--commune CODE] [--language hmn] [--programme P]
//   [--out file]`: the same export as the web app's (period, filters, counting rule and chain heads
// printed in the file), written from the command line over every commune. JSON on stdout: the
// file, its rows and the totals. Uses the server's configuration (DATABASE_URL, or the PGlite
// data dir — stop `npm start` first, PGlite has one owner).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ExportFormat, exportFileName } from '../domain/reports/export.ts';
import { GroupBy, PeriodError, ReportFilters, resolvePeriod } from '../domain/reports/query.ts';
import { sessionMinLanguageShare } from '../platform/config.ts';
import type { Db } from '../prisma/repositories/db.ts';
import { countSessions, type ReportRequest } from '../prisma/repositories/reports.ts';
import { writeReportExport } from '../worker/reports/export-file.ts';
import { type CommandGroup, UsageError } from './command.ts';
import { withDatabase } from './database.ts';

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  period: { type: 'string' },
  format: { type: 'string' },
  'group-by': { type: 'string' },
  province: { type: 'string' },
  commune: { type: 'string' },
  language: { type: 'string' },
  programme: { type: 'string' },
  out: { type: 'string' },
} as const;

/** The export itself, on an open database (the command below, and tests on PGlite). */
export async function reportCommand(db: Db, args: string[], cwd = process.cwd()) {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  const format = values.format as ExportFormat | undefined;
  if (format !== 'csv' && format !== 'xlsx')
    throw new UsageError('--format csv|xlsx là bắt buộc / is required');
  const groupBy = GroupBy.safeParse(values['group-by'] ?? 'commune');
  if (!groupBy.success)
    throw new UsageError(
      `--group-by: ${groupBy.error.issues.map((i) => i.message).join('; ')} (province, commune, cluster, language, programme, marketDay, month, quarter)`,
    );
  let communeId: string | undefined;
  if (values.commune) {
    const commune = await db.commune.findUnique({ where: { code: values.commune }, select: { id: true } });
    if (!commune)
      throw new UsageError(`không có xã mã "${values.commune}" / no commune with code "${values.commune}"`);
    communeId = commune.id;
  }
  const filters = ReportFilters.safeParse({
    province: values.province,
    communeId,
    language: values.language,
    programme: values.programme,
  });
  if (!filters.success)
    throw new UsageError(filters.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  let period: ReturnType<typeof resolvePeriod>;
  try {
    period = resolvePeriod({ period: values.period, from: values.from, to: values.to });
  } catch (err) {
    if (err instanceof PeriodError) throw new UsageError(err.message);
    throw err;
  }
  const req: ReportRequest = {
    period,
    filters: filters.data,
    share: sessionMinLanguageShare(),
    scope: { communeIds: null },
  };
  const out = resolve(cwd, values.out ?? exportFileName({ from: period.from, to: period.to, format }));
  const rows = await writeReportExport(db, req, { format, groupBy: groupBy.data, out });
  const { total } = await countSessions(db, req, groupBy.data);
  return {
    file: out,
    format,
    period: { from: period.from, to: period.to },
    groupBy: groupBy.data,
    rows,
    total,
  };
}

async function report(args: string[]) {
  return withDatabase((db) => reportCommand(db, args));
}

export const reportCommands: CommandGroup = {
  summary: 'the auditors’ report (sessions held, planned vs aired, records) as CSV or XLSX',
  usage: [
    'loa report --from YYYY-MM-DD --to YYYY-MM-DD | --period YYYY-Qn --format csv|xlsx [--group-by commune,language] [--province P] [--commune CODE] [--language hmn] [--programme P] [--out file]',
  ],
  // `loa report --from …`: the group is its one command.
  commands: { default: report },
};
