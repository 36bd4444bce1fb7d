// Sign-in, sign-out, the current session, and password change.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Actor } from '../../../domain/access.ts';
import { hashPassword, verifyPassword } from '../../../platform/password.ts';
import { newSecret } from '../../../platform/secrets.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import { sessionRepository } from '../../../prisma/repositories/sessions.ts';
import { userRepository } from '../../../prisma/repositories/users.ts';
import type { Csrf } from '../../http/csrf.ts';
import { AppError } from '../../http/errors.ts';
import { requestOrigin } from '../../http/origin.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { SESSION_COOKIE, type SessionPolicy } from './authenticate.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { toUserOut, UserOut } from './me.ts';

const Credentials = z.strictObject({
  username: z.string().trim().min(1, 'must not be empty').max(64, 'at most 64 characters'),
  password: z.string().min(1, 'must not be empty').max(256, 'at most 256 characters'),
});
const NewPassword = z.string().min(10, 'at least 10 characters').max(256, 'at most 256 characters');
const SessionOut = z.object({ user: UserOut, csrfToken: z.string() }).meta({ id: 'Session' });

/** Verifying against a fixed hash when the user does not exist keeps timing uniform. */
const DUMMY_HASH = hashPassword('loa-timing-equaliser');

export interface AuthDeps {
  db: DbClient;
  csrf: Csrf;
  throttle: LoginThrottle;
  session: SessionPolicy;
}

class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, 'invalid-credentials', 'Wrong username or password');
  }
}

/** Signed-in routes always have an actor: the router saw to it. */
const userIdOf = (actor: Actor | null): string => actor?.userId ?? '';

function currentSessionId(actor: Actor | null): string {
  if (!actor?.sessionId) throw new AppError(400, 'not-a-session', 'This call needs a browser session');
  return actor.sessionId;
}

export function authRoutes(deps: AuthDeps): RouteDefinition[] {
  const { db, csrf, throttle } = deps;

  async function startSession(req: Request, res: Response, userId: string) {
    const { token, hash } = newSecret();
    const expiresAt = new Date(Date.now() + deps.session.ttlMs);
    const sessionId = await sessionRepository.start(db, {
      tokenHash: hash,
      userId,
      expiresAt,
      ...requestOrigin(req),
    });
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: '/',
      maxAge: deps.session.ttlMs,
    });
    return sessionId;
  }

  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      summary: 'Sign in with username and password (sets the session cookie)',
      tags: ['auth'],
      access: { kind: 'public' },
      request: { body: Credentials },
      response: { description: 'Signed in', schema: SessionOut },
      problems: [401, 429],
      handler: async ({ body }, { req, res, origin }) => {
        const ip = req.ip ?? '';
        await throttle.check(body.username, ip);
        const user = await userRepository.findForSignIn(db, body.username);
        const ok = await verifyPassword(user?.passwordHash ?? (await DUMMY_HASH), body.password);
        if (!user || !ok || user.disabled) {
          await throttle.failed(body.username, ip);
          await recordAudit(
            db,
            { actor: null, username: body.username, origin },
            { action: 'auth.sign-in-failed', entityType: 'user', entityId: user?.id },
          );
          throw new InvalidCredentialsError();
        }
        await throttle.succeeded(body.username);
        const sessionId = await startSession(req, res, user.id);
        await recordAudit(
          db,
          { actor: null, username: user.username, origin },
          { action: 'auth.sign-in', entityType: 'user', entityId: user.id },
        );
        return { user: toUserOut(user), csrfToken: csrf.issue(req, res, sessionId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/auth/session',
      summary: 'The signed-in user, their roles and a CSRF token',
      tags: ['auth'],
      access: { kind: 'signed-in' },
      response: { description: 'Current session', schema: SessionOut },
      problems: [401],
      handler: async (_input, { req, res, actor }) => {
        const user = await userRepository.get(db, userIdOf(actor));
        const csrfToken = actor?.sessionId ? csrf.issue(req, res, actor.sessionId) : '';
        return { user: toUserOut(user), csrfToken };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'Sign out (ends this session)',
      tags: ['auth'],
      access: { kind: 'signed-in' },
      response: { status: 204, description: 'Signed out' },
      problems: [401, 403],
      handler: async (_input, { res, actor, origin }) => {
        await sessionRepository.end(db, currentSessionId(actor));
        await recordAudit(
          db,
          { actor, origin },
          { action: 'auth.sign-out', entityType: 'user', entityId: actor?.userId },
        );
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        return undefined;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/password',
      summary: 'Change your own password (ends your other sessions)',
      tags: ['auth'],
      access: { kind: 'signed-in' },
      request: { body: z.strictObject({ currentPassword: z.string().max(256), newPassword: NewPassword }) },
      response: { status: 204, description: 'Password changed' },
      problems: [401, 403],
      handler: async ({ body }, { actor, origin }) => {
        const sessionId = currentSessionId(actor);
        const userId = userIdOf(actor);
        if (!(await verifyPassword(await userRepository.passwordHashOf(db, userId), body.currentPassword)))
          throw new InvalidCredentialsError();
        const passwordHash = await hashPassword(body.newPassword);
        await inTransaction(db, async (tx) => {
          await userRepository.update(tx, userId, { passwordHash });
          await sessionRepository.endAllOf(tx, userId, sessionId);
          await recordAudit(
            tx,
            { actor, origin },
            { action: 'user.password-change', entityType: 'user', entityId: userId },
          );
        });
        return undefined;
      },
    }),
  ];
}
