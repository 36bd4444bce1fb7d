// An export of the quarterly report (CSV or XLSX): what was asked, and how far the job that
// writes it has got. The API writes the request, the export job fills the file in, both read the
// status; the status file sits beside the export under the data directory (<media>/exports/).
import { join } from 'node:path';
import { z } from 'zod';
import { DIMENSIONS, ReportFilters } from './query.ts';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const ExportSpec = z.strictObject({
  format: z.enum(EXPORT_FORMATS),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  filters: ReportFilters,
  groupBy: z.array(z.enum(DIMENSIONS)).min(1).max(2),
});
export type ExportSpec = z.infer<typeof ExportSpec>;

export const EXPORT_STATES = ['queued', 'running', 'done', 'failed'] as const;

export const ExportStatus = z.object({
  id: z.uuid(),
  /** Who asked: only they may read it. */
  userId: z.uuid(),
  /** The communes the asker's scope reached when asking (null: all). */
  communeIds: z.array(z.uuid()).nullable(),
  spec: ExportSpec,
  state: z.enum(EXPORT_STATES),
  /** 0…1 */
  progress: z.number().min(0).max(1),
  rows: z.number().int().min(0),
  error: z.string().nullable(),
  /** The name offered on download, e.g. "bao-cao-2026-07-01-2026-09-30.xlsx". */
  fileName: z.string(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
});
export type ExportStatus = z.infer<typeof ExportStatus>;

export function exportPaths(mediaRoot: string, id: string, format: ExportFormat) {
  const dir = join(mediaRoot, 'exports');
  return { dir, status: join(dir, `${id}.json`), file: join(dir, `${id}.${format}`) };
}

export function exportFileName(spec: Pick<ExportSpec, 'from' | 'to' | 'format'>): string {
  return `bao-cao-buoi-phat-${spec.from}-${spec.to}.${spec.format}`;
}
