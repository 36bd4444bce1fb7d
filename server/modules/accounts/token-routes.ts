// API tokens for machine clients: made by a global admin for a user whose roles and scope the
// token carries; shown once; stored as sha256; revocable.
import { z } from 'zod';
import { newSecret } from '../../../platform/secrets.ts';
import { apiTokenRepository } from '../../../prisma/repositories/api-tokens.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import { userRepository } from '../../../prisma/repositories/users.ts';
import { NotFoundError, ValidationError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Name, Uuid } from '../../http/schemas.ts';
import { API_TOKEN_PREFIX } from './authenticate.ts';

const TokenOut = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    userId: z.string(),
    username: z.string(),
    createdAt: z.date(),
    lastUsedAt: z.date().nullable(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiToken' });
const CreatedToken = TokenOut.extend({
  token: z.string().meta({ description: 'Shown only in this answer' }),
});

export function tokenRoutes(db: DbClient): RouteDefinition[] {
  const admin = { kind: 'global', roles: ['ADMIN'] } as const;
  return [
    defineRoute({
      method: 'get',
      path: '/api/tokens',
      summary: 'List API tokens (never their secret)',
      tags: ['tokens'],
      access: admin,
      response: { description: 'Tokens', schema: z.array(TokenOut) },
      problems: [401, 403],
      handler: () => apiTokenRepository.list(db),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tokens',
      summary: 'Create an API token acting as a user (the token is shown once)',
      tags: ['tokens'],
      access: admin,
      request: { body: z.strictObject({ name: Name(120), userId: Uuid }) },
      response: { status: 201, description: 'Created', schema: CreatedToken },
      problems: [401, 403],
      handler: async ({ body }, { actor, origin }) => {
        const user = await userRepository.find(db, body.userId);
        if (!user) throw new ValidationError([{ field: 'body.userId', message: 'no such user' }]);
        const { token, hash } = newSecret(API_TOKEN_PREFIX);
        return inTransaction(db, async (tx) => {
          const after = await apiTokenRepository.create(tx, {
            name: body.name,
            prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
            tokenHash: hash,
            userId: user.id,
            createdById: actor?.userId,
          });
          await recordAudit(
            tx,
            { actor, origin },
            { action: 'token.create', entityType: 'api-token', entityId: after.id, after },
          );
          return { ...after, token };
        });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tokens/:tokenId',
      summary: 'Revoke an API token',
      tags: ['tokens'],
      access: admin,
      request: { params: z.strictObject({ tokenId: Uuid }) },
      response: { status: 204, description: 'Revoked' },
      problems: [401, 403, 404],
      handler: async ({ params }, { actor, origin }) => {
        await inTransaction(db, async (tx) => {
          if (!(await apiTokenRepository.revoke(tx, params.tokenId))) throw new NotFoundError('token');
          await recordAudit(
            tx,
            { actor, origin },
            { action: 'token.revoke', entityType: 'api-token', entityId: params.tokenId },
          );
        });
        return undefined;
      },
    }),
  ];
}
