// A route is declared once: path, access rule, zod schemas for its input and output, and a
// handler. The router, the OpenAPI document and the access tests are all made from these
// declarations, so no route can exist outside them.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Actor, CommuneRef, Origin, Role } from '../../domain/access.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route. Enforced by the router for every route, before the handler runs:
 * - public: anyone;  signed-in: any user or token;
 * - global: one of `roles` held without province or commune restriction;
 * - scoped: one of `roles` somewhere; the handler narrows its query with communeWhere();
 * - commune: the record's commune (found by `commune`, null when there is no such record)
 *   must be one where the caller holds one of `roles`. A record the caller may not even see
 *   answers 404, so its existence does not leak; one they see but may not act on, 403.
 */
export type Access<I = RouteInput<unknown, unknown, unknown>> =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | { kind: 'global'; roles: readonly Role[] }
  | { kind: 'scoped'; roles: readonly Role[] }
  | { kind: 'commune'; roles: readonly Role[]; commune: (input: I) => Promise<CommuneRef | null> };

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
  access: Access<RouteInput<z.output<P>, z.output<Q>, z.output<B>>>;
  request?: { params?: P; query?: Q; body?: B };
  /** A multipart file upload read by the handler itself (streamed, never buffered). */
  upload?: { field: string; description: string };
  response: { status?: number; description: string; schema?: R; contentType?: string };
  /** Problem statuses this route can answer besides validation (400). */
  problems?: number[];
  handler: (
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>,
    http: { req: Request; res: Response; actor: Actor | null; origin: Origin },
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
