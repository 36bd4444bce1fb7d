import type { Express, Request } from 'express';
import type { Actor } from '../../domain/access.ts';
import { admit, admitRecord, ForbiddenError, needsCsrf } from './access.ts';
import { pickLanguage } from './messages.ts';
import { requestOrigin } from './origin.ts';
import type { RouteDefinition, RouteInput } from './route.ts';
import { parseRequest } from './validate.ts';

export interface RouterSecurity {
  authenticate(req: Request): Promise<Actor | null>;
  csrfValid(req: Request, actor: Actor): boolean;
}

export function mountRoutes(app: Express, routes: RouteDefinition[], security: RouterSecurity): void {
  for (const route of routes) {
    app[route.method](route.path, async (req, res) => {
      const actor = route.access.kind === 'public' ? null : await security.authenticate(req);
      res.locals.actor = actor; // for the request's log line
      admit(route.access, actor);
      if (actor && needsCsrf(req, actor) && !security.csrfValid(req, actor)) {
        throw new ForbiddenError('csrf-invalid', 'Missing or invalid x-csrf-token header; reload the page');
      }
      const input = parseRequest(
        route.request ?? {},
        { params: req.params, query: req.query, body: req.body },
        pickLanguage((...l) => req.acceptsLanguages(...l)),
      ) as RouteInput<unknown, unknown, unknown>;
      await admitRecord(route.access, actor, input);
      const result = await route.handler(input as Parameters<typeof route.handler>[0], {
        req,
        res,
        actor,
        origin: requestOrigin(req),
      });
      if (res.headersSent || res.destroyed) return;
      if (result === undefined) res.status(route.response.status ?? 204).end();
      else res.status(route.response.status ?? 200).json(result);
    });
  }
}
