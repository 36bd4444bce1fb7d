// Writes an export an auditor asked for (server/modules/reports): reads the request from its
// status file, writes the file with progress, and marks it done or failed. Re-run on a finished
// export, it does nothing.
import { type ExportStatus, exportPaths } from '../../domain/reports/export.ts';
import { resolvePeriod } from '../../domain/reports/query.ts';
import { sessionMinLanguageShare } from '../../platform/config.ts';
import { readExportStatus, writeExportStatus } from '../../platform/export-status.ts';
import type { Db } from '../../prisma/repositories/db.ts';
import { writeReportExport } from '../reports/export-file.ts';

/** Progress is written at most this often (each write replaces the status file). */
const PROGRESS_EVERY_MS = 250;

export async function exportReport(
  db: Db,
  mediaRoot: string,
  exportId: string,
  onProgress?: (progress: number) => Promise<void>,
): Promise<{ rows: number } | null> {
  const status = await readExportStatus(mediaRoot, exportId);
  if (!status || status.state === 'done') return null;
  const save = (patch: Partial<ExportStatus>) => writeExportStatus(mediaRoot, Object.assign(status, patch));
  await save({ state: 'running', progress: 0, error: null });
  let lastWrite = 0;
  try {
    const { spec } = status;
    const rows = await writeReportExport(
      db,
      {
        period: resolvePeriod({ from: spec.from, to: spec.to }),
        filters: spec.filters,
        share: sessionMinLanguageShare(),
        scope: { communeIds: status.communeIds },
      },
      {
        format: spec.format,
        groupBy: spec.groupBy,
        out: exportPaths(mediaRoot, exportId, spec.format).file,
        onProgress: async (p) => {
          if (Date.now() - lastWrite < PROGRESS_EVERY_MS || p.progress >= 1) return;
          lastWrite = Date.now();
          await save({ progress: p.progress, rows: p.rows });
          await onProgress?.(p.progress);
        },
      },
    );
    await save({ state: 'done', progress: 1, rows, finishedAt: new Date().toISOString() });
    return { rows };
  } catch (err) {
    await save({ state: 'failed', error: (err as Error).message, finishedAt: new Date().toISOString() });
    throw err;
  }
}
