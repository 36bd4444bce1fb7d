// The status file of a report export (domain/reports/export.ts), read by the API and written by
// the export job: replaced whole through a rename, so a reader never sees half of it.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ExportFormat, ExportStatus, exportPaths } from '../domain/reports/export.ts';

export async function readExportStatus(mediaRoot: string, id: string): Promise<ExportStatus | null> {
  // The format is not known before reading: the status file's name does not depend on it.
  const { status } = exportPaths(mediaRoot, id, 'csv' as ExportFormat);
  const text = await readFile(status, 'utf8').catch(() => null);
  if (text === null) return null;
  const parsed = ExportStatus.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export async function writeExportStatus(mediaRoot: string, status: ExportStatus): Promise<void> {
  const path = exportPaths(mediaRoot, status.id, status.spec.format).status;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(ExportStatus.parse(status)));
  await rename(tmp, path);
}
