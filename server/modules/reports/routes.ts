// The auditors' reports: counts of sessions held grouped by one or two dimensions, planned vs
// aired with the exceptions and their reasons, the records behind any number (paged, on to the
// recording or the receipt), and exports (CSV/XLSX) written by a job with progress. Auditors and
// admins, each within their scope; every answer carries the chain heads it was read from.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Actor } from '../../../domain/access.ts';
import { type ExportStatus, exportFileName, exportPaths } from '../../../domain/reports/export.ts';
import {
  type Period,
  PeriodError,
  type ReportFilters,
  resolvePeriod,
} from '../../../domain/reports/query.ts';
import { describeCountingRule } from '../../../domain/session-log/counting.ts';
import type { MediaStore } from '../../../media/store.ts';
import { sessionMinLanguageShare } from '../../../platform/config.ts';
import { readExportStatus, writeExportStatus } from '../../../platform/export-status.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';
import {
  countSessions,
  inScope,
  plannedVersusAired,
  REPORT_ROLES,
  type ReportRequest,
  reportChainHeads,
  reportScope,
  sessionRecords,
} from '../../../prisma/repositories/reports.ts';
import { exportJobId } from '../../../worker/jobs/catalogue.ts';
import type { JobProducer } from '../../../worker/jobs/producer.ts';
import { NotFoundError, ValidationError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { sendStoredFile } from '../../http/send-file.ts';
import {
  CountsOut,
  CountsQuery,
  ExportIn,
  ExportOut,
  ExportParams,
  PlannedOut,
  PlannedQuery,
  RecordsOut,
  RecordsQuery,
} from './schemas.ts';

export interface ReportRouteDeps {
  db: DbClient;
  store: MediaStore;
  jobs: JobProducer;
}

const ACCESS = { kind: 'scoped', roles: REPORT_ROLES } as const;

export function reportRoutes(deps: ReportRouteDeps): RouteDefinition[] {
  const { db, store } = deps;
  const share = () => sessionMinLanguageShare();

  /** The request a report answers: period, filters and the asker's scope (a commune outside it is not found). */
  const request = async (
    actor: Actor | null,
    input: { period?: string; from?: string; to?: string },
    filters: ReportFilters,
  ): Promise<ReportRequest> => {
    const period = periodOf(input);
    const scope = await reportScope(db, actor);
    if (filters.communeId && !inScope(scope, filters.communeId)) throw new NotFoundError('commune');
    return { period, filters, share: share(), scope };
  };
  const periodOut = (p: Period) => ({ from: p.from, to: p.to });

  return [
    defineRoute({
      method: 'get',
      path: '/api/reports/sessions',
      summary:
        'Sessions held over a period grouped by one or two of province, commune, cluster, language, programme, market day, month, quarter — with what else became of the planned ones, minutes aired, success rate and skew',
      tags: ['reports'],
      access: ACCESS,
      request: { query: CountsQuery },
      response: { description: 'Counts', schema: CountsOut },
      problems: [401, 403, 404],
      handler: async ({ query }, { actor }) => {
        const { groupBy, period, from, to, ...filters } = query;
        const req = await request(actor, { period, from, to }, filters);
        const heads = await reportChainHeads(db, req);
        const counts = await countSessions(db, req, groupBy);
        return {
          period: periodOut(req.period),
          rule: { minLanguageShare: req.share, ...describeCountingRule({ minLanguageShare: req.share }) },
          ...counts,
          chainHeads: heads,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/reports/records',
      summary:
        'The log records behind a number: the same period and filters (one per dimension of the row) and an outcome, in time order, a page at a time',
      tags: ['reports'],
      access: ACCESS,
      request: { query: RecordsQuery },
      response: { description: 'Records', schema: RecordsOut },
      problems: [401, 403, 404],
      handler: async ({ query }, { actor }) => {
        const { period, from, to, outcome, cursor, limit, ...filters } = query;
        const req = await request(actor, { period, from, to }, filters);
        const page = await sessionRecords(db, req, { outcome, limit, ...(cursor ? { cursor } : {}) });
        return {
          next: page.next,
          records: page.records.map((r) => ({
            ...r,
            recordingUrl: r.driverKind === 'RECORDER' ? `/api/broadcasts/${r.broadcastId}/recording` : null,
          })),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/reports/planned',
      summary:
        'Planned vs aired: every planned occurrence on a cluster (broadcast) of the period and what became of it, the exceptions with their reasons',
      tags: ['reports'],
      access: ACCESS,
      request: { query: PlannedQuery },
      response: { description: 'Planned vs aired', schema: PlannedOut },
      problems: [401, 403, 404],
      handler: async ({ query }, { actor }) => {
        const { period, from, to, exceptionsOnly, cursor, limit, ...filters } = query;
        const req = await request(actor, { period, from, to }, filters);
        const report = await plannedVersusAired(db, req, {
          exceptionsOnly,
          limit,
          ...(cursor ? { cursor } : {}),
        });
        return { period: periodOut(req.period), ...report };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/reports/exports',
      summary: 'Export the report (CSV or XLSX) — written by a job; follow its progress, then download it',
      tags: ['reports'],
      access: ACCESS,
      request: { body: ExportIn },
      response: { status: 202, description: 'The export, queued', schema: ExportOut },
      problems: [401, 403, 404],
      handler: async ({ body }, { actor }) => {
        const req = await request(actor, body, body.filters);
        const spec = {
          format: body.format,
          from: req.period.from,
          to: req.period.to,
          filters: body.filters,
          groupBy: body.groupBy,
        };
        const status: ExportStatus = {
          id: randomUUID(),
          userId: (actor as Actor).userId,
          communeIds: req.scope.communeIds,
          spec,
          state: 'queued',
          progress: 0,
          rows: 0,
          error: null,
          fileName: exportFileName(spec),
          createdAt: new Date().toISOString(),
          finishedAt: null,
        };
        await writeExportStatus(store.root, status);
        await deps.jobs.enqueue('export-report', { exportId: status.id }, exportJobId(status.id));
        return exportOut(status);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/reports/exports/:exportId',
      summary: 'An export you asked for: its state and progress',
      tags: ['reports'],
      access: ACCESS,
      request: { params: ExportParams },
      response: { description: 'The export', schema: ExportOut },
      problems: [401, 403, 404],
      handler: async ({ params }, { actor }) => exportOut(await ownExport(store, actor, params.exportId)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/reports/exports/:exportId/file',
      summary: 'Download a finished export',
      tags: ['reports'],
      access: ACCESS,
      request: { params: ExportParams },
      response: {
        description: 'The file',
        contentType: 'text/csv | application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      problems: [401, 403, 404],
      handler: async ({ params }, { req, res, actor }) => {
        const status = await ownExport(store, actor, params.exportId);
        const path = exportPaths(store.root, status.id, status.spec.format).file;
        if (status.state !== 'done' || !existsSync(path))
          throw new NotFoundError('export file', 'export-not-ready');
        res.attachment(status.fileName);
        await sendStoredFile(req, res, path, {
          headers: {
            'Content-Type':
              status.spec.format === 'csv'
                ? 'text/csv; charset=utf-8'
                : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            'Cache-Control': 'private, no-store',
          },
        });
        return undefined;
      },
    }),
  ];
}

function periodOf(input: { period?: string; from?: string; to?: string }): Period {
  try {
    return resolvePeriod(input);
  } catch (err) {
    if (err instanceof PeriodError) throw new ValidationError([{ field: 'period', message: err.message }]);
    throw err;
  }
}

/** Only the user who asked for an export sees it (another's answers 404: its existence does not leak). */
async function ownExport(store: MediaStore, actor: Actor | null, id: string): Promise<ExportStatus> {
  const status = await readExportStatus(store.root, id);
  if (!status || status.userId !== actor?.userId) throw new NotFoundError('export');
  return status;
}

function exportOut(s: ExportStatus) {
  return {
    id: s.id,
    state: s.state,
    progress: s.progress,
    rows: s.rows,
    error: s.error,
    fileName: s.fileName,
    format: s.spec.format,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    fileUrl: `/api/reports/exports/${s.id}/file`,
  };
}
