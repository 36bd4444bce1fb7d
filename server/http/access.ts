// The one place where every API route's access rule is enforced (see Access in route.ts).
import type { Request } from 'express';
import { type Actor, canSee, hasGlobalRole, hasRoleAnywhere, hasRoleIn } from '../../domain/access.ts';
import { AppError, NotFoundError } from './errors.ts';
import type { Access, RouteInput } from './route.ts';

export class UnauthenticatedError extends AppError {
  constructor() {
    super(401, 'unauthenticated', 'Sign in first (session cookie or Bearer API token)');
  }
}

export class ForbiddenError extends AppError {
  constructor(code = 'forbidden', message = 'Your role does not allow this action') {
    super(403, code, message);
  }
}

/** Checks that need no request input: is anyone there, and do they hold a fitting role. */
export function admit(access: Access, actor: Actor | null): void {
  if (access.kind === 'public') return;
  if (!actor) throw new UnauthenticatedError();
  if (access.kind === 'signed-in') return;
  const allowed =
    access.kind === 'global' ? hasGlobalRole(actor, access.roles) : hasRoleAnywhere(actor, access.roles);
  if (!allowed) throw new ForbiddenError();
}

/** Checks on the record itself, once the input is parsed. */
export async function admitRecord(
  access: Access,
  actor: Actor | null,
  input: RouteInput<unknown, unknown, unknown>,
): Promise<void> {
  if (access.kind !== 'commune' || !actor) return;
  const commune = await access.commune(input);
  if (!commune || !canSee(actor, commune)) throw new NotFoundError();
  if (!hasRoleIn(actor, access.roles, commune)) throw new ForbiddenError();
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie-authenticated state changes need a CSRF token; bearer tokens are not ambient. */
export function needsCsrf(req: Request, actor: Actor | null): boolean {
  return actor?.via === 'session' && !SAFE_METHODS.has(req.method);
}
