// One line per request, for people: "GET /api/bulletins 200 12 ms officer". No headers, no
// query object: a line stays short, and credentials (cookies, tokens, a feed's key) never reach it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Actor } from '../../domain/access.ts';
import type { Logger } from '../../platform/logger.ts';

export interface RequestFacts {
  method: string;
  /** Path and query, with any feed key replaced. */
  url: string;
  status: number;
  ms: number;
  /** Username of the caller, when signed in. */
  user?: string;
  /** The client closed the connection before the whole answer was sent. */
  clientWentAway?: true;
}

/** A calendar feed's URL carries its read key: it stays out of the logs. */
export function loggedUrl(url: string): string {
  return url.replace(/([?&]key=)[^&]*/g, '$1[redacted]');
}

const STARTED = Symbol('started');
const FACTS = Symbol('facts');
type Timed = ServerResponse & { [STARTED]?: number; [FACTS]?: RequestFacts; locals?: Response['locals'] };

function factsOf(req: IncomingMessage, res: Timed): RequestFacts {
  if (res[FACTS]) return res[FACTS];
  const actor = res.locals?.actor as Actor | null | undefined;
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const facts: RequestFacts = {
    method: req.method ?? '?',
    url: loggedUrl(url),
    status: res.statusCode,
    ms: Math.round(performance.now() - (res[STARTED] ?? performance.now())),
    ...(actor ? { user: actor.username } : {}),
    ...(res.writableFinished ? {} : { clientWentAway: true as const }),
  };
  res[FACTS] = facts;
  return facts;
}

export function describeRequest(f: RequestFacts): string {
  return `${f.method} ${f.url} ${f.status} ${f.ms} ms ${f.user ?? '-'}${f.clientWentAway ? ' (client went away)' : ''}`;
}

export function requestLog(logger: Logger): RequestHandler {
  const log = pinoHttp({
    logger,
    // Lines logged while handling a request carry only its id (reqId), not the request.
    quietReqLogger: true,
    quietResLogger: true,
    autoLogging: { ignore: (req) => req.url === '/healthz' },
    // A server error is logged with its stack where it is handled; this line only counts it.
    customLogLevel: (_req, res) => (res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (req, res) => ({ http: factsOf(req, res) }),
    customSuccessMessage: (req, res) => describeRequest(factsOf(req, res)),
    customErrorObject: (req, res) => ({ http: factsOf(req, res) }),
    customErrorMessage: (req, res) => describeRequest(factsOf(req, res)),
  });
  return (req, res, next) => {
    (res as Timed)[STARTED] = performance.now();
    log(req, res, next);
  };
}
