// `loa log verify [--commune CODE] [--against <export file>]`: recomputes every commune's chain
// of session records (or one commune's), names the first record that does not match, prints the
// chain heads, and with --against proves the chains still pass through the heads an earlier
// export printed (CSV, XLSX or any text holding its {"chainHeads":[…]} block). JSON on stdout;
// exit 1 when anything does not match. Uses the server's configuration (DATABASE_URL, or the
// PGlite data dir under LOA_DATA_DIR — stop `npm start` first, PGlite has one owner).
// `loa log rollup` rebuilds the reports' rollup from the records under the configured counting
// share (after LOA_SESSION_MIN_LANGUAGE_SHARE changed, the counts fold the raw records until then).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { type ChainHead, ChainHeadsNotFound, findChainHeads } from '../domain/session-log/heads.ts';
import { sessionMinLanguageShare } from '../platform/config.ts';
import type { Db } from '../prisma/repositories/db.ts';
import { rebuildRollup, rollupShare } from '../prisma/repositories/session-rollup.ts';
import { type LogVerification, verifyLog } from '../prisma/repositories/session-verification.ts';
import { CommandFailed, type CommandGroup, UsageError } from './command.ts';
import { withDatabase } from './database.ts';

/** The verification itself, on an open database (the command below, and tests on PGlite). */
export async function verifyCommand(db: Db, args: string[]): Promise<LogVerification> {
  const { values } = parseArgs({
    args,
    options: { commune: { type: 'string' }, against: { type: 'string' } },
  });
  const against = values.against === undefined ? undefined : await headsOfFile(values.against);
  const result = await verifyLog(db, {
    ...(values.commune ? { communeCode: values.commune } : {}),
    ...(against ? { against } : {}),
  });
  if (values.commune && result.chains.length === 0) {
    throw new UsageError(`không có xã mã "${values.commune}" / no commune with code "${values.commune}"`);
  }
  if (!result.ok) throw new CommandFailed(result, failureLine(result));
  return result;
}

async function headsOfFile(path: string): Promise<ChainHead[]> {
  let text: string;
  try {
    text = extname(path).toLowerCase() === '.xlsx' ? await xlsxText(path) : await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`không đọc được / cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return findChainHeads(text);
  } catch (err) {
    if (err instanceof ChainHeadsNotFound) throw new UsageError(`${path}: ${err.message}`);
    throw err;
  }
}

/** Every cell's text of a workbook, one per line: where an XLSX export keeps its heads. */
async function xlsxText(path: string): Promise<string> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const lines: string[] = [];
  workbook.eachSheet((sheet) => {
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        lines.push(cell.text);
      });
    });
  });
  return lines.join('\n');
}

function failureLine(result: LogVerification): string {
  const broken = result.chains.find((c) => c.mismatch);
  if (broken?.mismatch) {
    const m = broken.mismatch;
    return `nhật ký xã ${broken.commune} sai từ bản ghi #${m.seq} (buổi phát ${m.broadcastId}, ${m.problem}) / the log of commune ${broken.commune} does not match from record #${m.seq} (broadcast ${m.broadcastId}, ${m.problem})`;
  }
  const head = result.against?.find((a) => !a.ok);
  return head
    ? `chuỗi xã ${head.commune} không còn đi qua bản ghi #${head.seq} của tệp xuất / the chain of commune ${head.commune} no longer passes through record #${head.seq} of the export`
    : 'verification failed';
}

async function verify(args: string[]) {
  return withDatabase((db) => verifyCommand(db, args));
}

/** Rebuilds the reports' rollup for the configured share, on an open database (tests call it too). */
export async function rollupCommand(db: Db, args: string[]) {
  parseArgs({ args, options: {} });
  const share = sessionMinLanguageShare();
  const before = await rollupShare(db);
  const started = performance.now();
  const rows = await rebuildRollup(db, share);
  return { share, previousShare: before, rows, ms: Math.round(performance.now() - started) };
}

async function rollup(args: string[]) {
  return withDatabase((db) => rollupCommand(db, args));
}

export const logCommands: CommandGroup = {
  summary: 'the broadcast log (session records)',
  usage: [
    'loa log verify [--commune CODE] [--against <export file: csv, xlsx or text>]  (exit 1 if a record or head does not match)',
    'loa log rollup  (rebuild the reports rollup from the records under LOA_SESSION_MIN_LANGUAGE_SHARE)',
  ],
  commands: { verify, rollup },
};
