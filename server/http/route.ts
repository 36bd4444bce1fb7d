// A route is declared once: path, access rule, zod schemas for its input and output, and a
// handler. The router, the OpenAPI document and the access tests are all made from these
// declarations, so no route can exist outside them.
import type { Request, Response } from 'express';
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route. Extended by the accounts module with roles and commune scope. */
export type Access = { kind: 'public' };

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

export interface RouteDefinition<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Express-style path, e.g. `/api/communes/:communeId`. */
  path: string;
  summary: string;
  tags: string[];
  access: Access;
  request?: { params?: P; query?: Q; body?: B };
  response: { status?: number; description: string; schema?: R; contentType?: string };
  /** Problem statuses this route can answer besides validation (400). */
  problems?: number[];
  handler: (
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>,
    http: { req: Request; res: Response },
  ) => Promise<z.input<R> | undefined> | z.input<R> | undefined;
}

export function defineRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
>(route: RouteDefinition<P, Q, B, R>): RouteDefinition {
  return route as unknown as RouteDefinition;
}
