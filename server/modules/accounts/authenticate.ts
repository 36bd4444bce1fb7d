// Turns a request into an Actor: a bearer API token (machine clients) or the session cookie
// (browsers). A disabled user, an expired session or a revoked token authenticates nobody.
import type { Request } from 'express';
import type { Actor } from '../../../domain/access.ts';
import { hashSecret } from '../../../platform/secrets.ts';
import { apiTokenRepository } from '../../../prisma/repositories/api-tokens.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';
import { sessionRepository } from '../../../prisma/repositories/sessions.ts';
import type { Identity } from '../../../prisma/repositories/users.ts';

export const SESSION_COOKIE = 'loa_session';
export const API_TOKEN_PREFIX = 'loa_';
/** Touching lastSeenAt/lastUsedAt on every request would turn reads into writes. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionPolicy {
  ttlMs: number;
}

function toActor(user: Identity, via: Actor['via'], ids: { sessionId?: string; tokenId?: string }): Actor {
  return {
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    via,
    assignments: user.assignments,
    ...ids,
  };
}

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  return header.slice('Bearer '.length).trim();
}

export function createAuthenticator(db: DbClient, policy: SessionPolicy) {
  async function fromToken(token: string): Promise<Actor | null> {
    const found = await apiTokenRepository.findByTokenHash(db, hashSecret(token));
    if (!found || found.revokedAt || found.user.disabled) return null;
    if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
      await apiTokenRepository.touch(db, found.id, new Date());
    }
    return toActor(found.user, 'token', { tokenId: found.id });
  }

  async function fromSession(token: string): Promise<Actor | null> {
    const session = await sessionRepository.findByTokenHash(db, hashSecret(token));
    const now = Date.now();
    if (!session || session.user.disabled) return null;
    if (session.expiresAt.getTime() <= now) {
      await sessionRepository.end(db, session.id);
      return null;
    }
    if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      // Sliding expiry: an officer working through the afternoon stays signed in.
      await sessionRepository.extend(db, session.id, new Date(now), new Date(now + policy.ttlMs));
    }
    return toActor(session.user, 'session', { sessionId: session.id });
  }

  return async function authenticate(req: Request): Promise<Actor | null> {
    const bearer = bearerToken(req);
    if (bearer) return fromToken(bearer);
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    return cookie ? fromSession(cookie) : null;
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;
