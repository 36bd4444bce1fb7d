import type { Express } from 'express';
import type { RouteDefinition } from './route.ts';
import { parseRequest } from './validate.ts';

export function mountRoutes(app: Express, routes: RouteDefinition[]): void {
  for (const route of routes) {
    app[route.method](route.path, async (req, res) => {
      const input = parseRequest(route.request ?? {}, {
        params: req.params,
        query: req.query,
        body: req.body,
      });
      const result = await route.handler(input as Parameters<typeof route.handler>[0], { req, res });
      if (res.headersSent) return;
      if (result === undefined) res.status(route.response.status ?? 204).end();
      else res.status(route.response.status ?? 200).json(result);
    });
  }
}
