// createApp(deps) builds the whole HTTP surface; index.ts and the tests both use it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { apiDocsRouter } from './http/api-docs.ts';
import { buildOpenApiDocument } from './http/openapi.ts';
import { problemHandler, routeNotFound } from './http/problem.ts';
import { defineRoute, type RouteDefinition } from './http/route.ts';
import { mountRoutes } from './http/router.ts';
import type { Logger } from './logger.ts';
import type { ReadinessCheck } from './modules/system/readiness.ts';
import { systemRoutes } from './modules/system/routes.ts';
import { VERSION } from './version.ts';

export interface AppDeps {
  logger: Logger;
  readinessChecks: Record<string, ReadinessCheck>;
  /** Built web app (web/dist); served with an SPA fallback when present. */
  webDist?: string;
}

export interface LoaApp extends Express {
  locals: Express['locals'] & { routes: RouteDefinition[] };
}

export function createApp(deps: AppDeps): LoaApp {
  const app = express() as LoaApp;
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }));
  app.use(express.json({ limit: '1mb' }));

  const routes: RouteDefinition[] = [...systemRoutes({ checks: deps.readinessChecks, version: VERSION })];
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
  mountRoutes(app, routes);
  app.locals.routes = routes;
  app.use('/api/docs', apiDocsRouter());
  app.use('/api', routeNotFound);

  if (deps.webDist && existsSync(join(deps.webDist, 'index.html'))) {
    const webDist = deps.webDist;
    app.use(express.static(webDist, { index: false, maxAge: '1h' }));
    app.get('/{*spa}', (_req, res) => res.sendFile(join(webDist, 'index.html')));
  }
  app.use(routeNotFound);
  app.use(problemHandler(deps.logger));
  return app;
}
