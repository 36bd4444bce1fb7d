// createApp(deps) builds the whole HTTP surface; index.ts, runtime.ts and the tests use it.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { MediaStore } from '../media/store.ts';
import type { Logger } from '../platform/logger.ts';
import { VERSION } from '../platform/version.ts';
import type { DbClient } from '../prisma/repositories/db.ts';
import type { JobProducer } from '../worker/jobs/producer.ts';
import { apiDocsRouter } from './http/api-docs.ts';
import { createCsrf } from './http/csrf.ts';
import { buildOpenApiDocument } from './http/openapi.ts';
import { problemHandler, routeNotFound, sendProblem } from './http/problem.ts';
import { requestLog } from './http/request-log.ts';
import { defineRoute, type RouteDefinition } from './http/route.ts';
import { mountRoutes } from './http/router.ts';
import { authRoutes } from './modules/accounts/auth-routes.ts';
import { createAuthenticator } from './modules/accounts/authenticate.ts';
import {
  createLoginThrottle,
  DEFAULT_THROTTLE,
  type ThrottlePolicy,
  TooManyAttemptsError,
} from './modules/accounts/login-throttle.ts';
import { tokenRoutes } from './modules/accounts/token-routes.ts';
import { userRoutes } from './modules/accounts/user-routes.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { broadcastRoutes } from './modules/broadcasts/routes.ts';
import type { ProgressFeed } from './modules/bulletins/progress-feed.ts';
import { bulletinRoutes } from './modules/bulletins/routes.ts';
import { bulletinService } from './modules/bulletins/service.ts';
import { calendarRoutes } from './modules/calendars/routes.ts';
import { clusterRoutes } from './modules/clusters/routes.ts';
import { communeRoutes } from './modules/communes/routes.ts';
import { logRoutes } from './modules/log/routes.ts';
import { createOperationsMetrics } from './modules/operations/metrics.ts';
import { mountQueueBoard } from './modules/operations/queue-board.ts';
import { operationsRoutes } from './modules/operations/routes.ts';
import { receiverRoutes } from './modules/receivers/routes.ts';
import { reportRoutes } from './modules/reports/routes.ts';
import { slotRoutes } from './modules/slots/routes.ts';
import type { ReadinessCheck } from './modules/system/readiness.ts';
import { systemRoutes } from './modules/system/routes.ts';

export interface AppDeps {
  logger: Logger;
  db: DbClient;
  /** A producer connection (fails fast): login throttling. */
  redis: Redis;
  redisPrefix: string;
  secret: string;
  readinessChecks: Record<string, ReadinessCheck>;
  sessionTtlMs?: number;
  throttle?: ThrottlePolicy;
  store: MediaStore;
  jobs: JobProducer;
  feed: ProgressFeed;
  limits: { maxUploadBytes: number; maxAudioSec: number };
  /** Built web app (web/dist); served with an SPA fallback when present. */
  webDist?: string;
}

export interface LoaApp extends Express {
  locals: Express['locals'] & { routes: RouteDefinition[] };
}

function apiRoutes(deps: AppDeps, csrf: ReturnType<typeof createCsrf>): RouteDefinition[] {
  const session = { ttlMs: deps.sessionTtlMs ?? 12 * 3600_000 };
  const throttle = createLoginThrottle(deps.redis, deps.redisPrefix, deps.throttle ?? DEFAULT_THROTTLE);
  // A slot or calendar change re-plans its broadcasts at once; the periodic run would within a minute.
  const replan = (slotIds: string[]) =>
    deps.jobs
      .enqueue('materialise-broadcasts', { slotIds }, `mat-${randomUUID()}`)
      .catch((err: Error) =>
        deps.logger.warn({ module: 'slots', err: err.message }, 're-planning postponed'),
      );
  return [
    ...systemRoutes({ checks: deps.readinessChecks, version: VERSION }),
    ...authRoutes({ db: deps.db, csrf, throttle, session }),
    ...userRoutes(deps.db),
    ...tokenRoutes(deps.db),
    ...communeRoutes(deps.db),
    ...clusterRoutes(deps.db),
    ...auditRoutes(deps.db),
    ...logRoutes({ db: deps.db, redis: deps.redis, redisPrefix: deps.redisPrefix }),
    ...calendarRoutes(deps.db, deps.secret, replan),
    ...slotRoutes(deps.db, replan),
    ...bulletinRoutes({
      db: deps.db,
      store: deps.store,
      feed: deps.feed,
      maxUploadBytes: deps.limits.maxUploadBytes,
      service: bulletinService({
        db: deps.db,
        store: deps.store,
        jobs: deps.jobs,
        maxAudioSec: deps.limits.maxAudioSec,
      }),
    }),
    ...broadcastRoutes({ db: deps.db, store: deps.store, jobs: deps.jobs }),
    ...receiverRoutes({ db: deps.db, store: deps.store, secret: deps.secret }),
    ...reportRoutes({ db: deps.db, store: deps.store, jobs: deps.jobs }),
    ...operationsRoutes(createOperationsMetrics({ db: deps.db, jobs: deps.jobs, logger: deps.logger })),
  ];
}

export function createApp(deps: AppDeps): LoaApp {
  const app = express() as LoaApp;
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      // Swagger UI styles itself inline; a recording is heard back from a blob: URL before it is
      // uploaded; everything else is same-origin.
      contentSecurityPolicy: {
        directives: {
          'style-src': ["'self'", "'unsafe-inline'"],
          'media-src': ["'self'", 'blob:'],
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.use(requestLog(deps.logger));

  app.use(express.json({ limit: '1mb' }));
  app.use(cookieParser());

  const csrf = createCsrf(deps.secret);
  const authenticate = createAuthenticator(deps.db, { ttlMs: deps.sessionTtlMs ?? 12 * 3600_000 });
  const routes = apiRoutes(deps, csrf);
  let document: unknown;
  routes.push(
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This API, described in OpenAPI 3.1',
      tags: ['system'],
      access: { kind: 'public' },
      response: { description: 'OpenAPI document' },
      handler: (_input, { res }) => {
        document ??= buildOpenApiDocument(routes, { version: VERSION });
        res.json(document);
        return undefined;
      },
    }),
  );
  mountRoutes(app, routes, {
    authenticate,
    csrfValid: (req, actor) => Boolean(actor.sessionId) && csrf.valid(req, actor.sessionId as string),
  });
  app.locals.routes = routes;
  mountQueueBoard(app, { jobs: deps.jobs, authenticate });
  app.use('/api/docs', apiDocsRouter());
  app.use('/api', routeNotFound);

  if (deps.webDist && existsSync(join(deps.webDist, 'index.html'))) {
    const webDist = deps.webDist;
    app.use(express.static(webDist, { index: false, maxAge: '1h' }));
    // Only a browser asking for a page gets the app (its router handles deep links); a monitor,
    // a script or a missing asset gets a 404 problem, not the app's HTML with a 200.
    app.get('/{*spa}', (req, res, next) => {
      if (req.accepts(['application/problem+json', 'html']) !== 'html') return next();
      res.sendFile(join(webDist, 'index.html'));
    });
  }
  app.use(routeNotFound);
  app.use((err: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (err instanceof TooManyAttemptsError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      return sendProblem(req, res, err);
    }
    next(err);
  });
  app.use(problemHandler(deps.logger));
  return app;
}
