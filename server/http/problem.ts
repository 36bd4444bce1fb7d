// RFC 9457 problem details for every error the API answers.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../platform/logger.ts';
import { isDatabaseUnreachable } from '../../prisma/unreachable.ts';
import { localDetail, localFieldMessage } from './details.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { pickLanguage, problemTitle } from './messages.ts';
import { loggedUrl } from './request-log.ts';
import { clientWentAway } from './send-file.ts';
import { afterUnreadBody } from './unread-body.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Answers with a problem, once any body the request is still sending has been read (unread-body.ts). */
export function sendProblem(req: Request, res: Response, error: AppError): void {
  afterUnreadBody(req, res, () => writeProblem(req, res, error));
}

function writeProblem(req: Request, res: Response, error: AppError): void {
  if (res.headersSent || res.destroyed) return;
  const lang = pickLanguage((...l) => req.acceptsLanguages(...l));
  const issues = fieldIssues(error.extra.errors);
  res
    .status(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .json({
      type: `/problems/${error.code}`,
      title: problemTitle(error.code, lang),
      status: error.status,
      code: error.code,
      detail: localDetail(error.message, lang, error.localText, issues),
      instance: req.originalUrl,
      ...error.extra,
      ...(issues
        ? { errors: issues.map((i) => ({ ...i, message: localFieldMessage(i.message, lang) })) }
        : {}),
    });
}

function fieldIssues(errors: unknown): FieldIssue[] | undefined {
  if (!Array.isArray(errors)) return undefined;
  const ok = errors.every((e) => typeof e?.field === 'string' && typeof e?.message === 'string');
  return ok ? (errors as FieldIssue[]) : undefined;
}

export const routeNotFound: RequestHandler = (req, res) => {
  sendProblem(
    req,
    res,
    new AppError(
      404,
      'route-not-found',
      `${req.method} ${req.originalUrl.split('?')[0]} is not an API route`,
    ),
  );
};

interface PrismaKnownError {
  code: string;
  meta?: Record<string, unknown>;
}

function isPrismaKnownError(err: unknown): err is PrismaKnownError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: string }).name === 'PrismaClientKnownRequestError' &&
    typeof (err as { code?: unknown }).code === 'string'
  );
}

/** Errors thrown by body-parser carry a `type` and a status. */
function bodyParserError(err: unknown): AppError | undefined {
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return new AppError(400, 'invalid-json', e.message ?? 'bad JSON');
  if (e?.type === 'entity.too.large') return new AppError(413, 'payload-too-large', e.message ?? 'too large');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.type) {
    return new AppError(e.status, 'invalid-request', e.message ?? 'bad request');
  }
  return undefined;
}

/** The embedded database was closed under a request still running: Loa is stopping. */
function databaseClosed(err: unknown): boolean {
  return /PGlite is closed|Cannot use a pool after calling end/.test((err as Error)?.message ?? '');
}

/** How long a client waits before asking again while the database is away (Retry-After). */
export const DATABASE_RETRY_AFTER_SEC = 5;
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (isDatabaseUnreachable(err)) {
    return new AppError(503, 'database-unavailable', {
      vi: 'Không kết nối được cơ sở dữ liệu; hãy thử lại sau giây lát',
      en: 'The database cannot be reached; try again shortly',
    });
  }
  if (databaseClosed(err)) {
    return new AppError(503, 'stopping', {
      vi: 'Loa đang dừng, yêu cầu chưa xong',
      en: 'Loa is stopping; the request did not finish',
    });
  }
  if (isPrismaKnownError(err)) {
    if (err.code === 'P2002')
      return new AppError(409, 'conflict', 'A record with these values already exists');
    if (err.code === 'P2025') return new AppError(404, 'not-found', 'Record not found');
  }
  return bodyParserError(err);
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const url = loggedUrl(req.originalUrl);
    if (clientWentAway(err)) {
      // Nobody is left to answer: not a server error.
      logger.debug({ method: req.method, url, reason: (err as Error)?.message }, 'client went away');
      return;
    }
    const known = toAppError(err);
    if (!known) logger.error({ err, method: req.method, url }, 'unhandled error');
    if (res.headersSent) {
      // Part of an answer is out: a problem cannot follow it; end the connection so the client
      // sees the answer is incomplete.
      if (known) logger.warn({ err, method: req.method, url }, 'error after the answer began');
      res.destroy();
      return;
    }
    if (known?.code === 'database-unavailable')
      res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SEC));
    sendProblem(req, res, known ?? new AppError(500, 'internal', 'Something went wrong on the server'));
  };
}
