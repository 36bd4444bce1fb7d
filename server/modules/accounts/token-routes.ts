// API tokens for machine clients: made by a global admin for a user whose roles and scope the
// token carries; shown once; stored as sha256; revocable.
import { z } from 'zod';
import { newSecret } from '../../../platform/secrets.ts';
import type { PrismaClient } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
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

type TokenRow = Omit<z.input<typeof TokenOut>, 'username'> & { user: { username: string } };
const toOut = ({ user, ...t }: TokenRow & Record<string, unknown>): z.input<typeof TokenOut> => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  userId: t.userId,
  username: user.username,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  revokedAt: t.revokedAt,
});

export function tokenRoutes(prisma: PrismaClient): RouteDefinition[] {
  const admin = { kind: 'global', roles: ['ADMIN'] } as const;
  const withUser = { user: { select: { username: true } } } as const;
  return [
    defineRoute({
      method: 'get',
      path: '/api/tokens',
      summary: 'List API tokens (never their secret)',
      tags: ['tokens'],
      access: admin,
      response: { description: 'Tokens', schema: z.array(TokenOut) },
      problems: [401, 403],
      handler: async () =>
        (await prisma.apiToken.findMany({ include: withUser, orderBy: { createdAt: 'desc' } })).map(toOut),
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
        const user = await prisma.user.findUnique({ where: { id: body.userId } });
        if (!user) throw new ValidationError([{ field: 'body.userId', message: 'no such user' }]);
        const { token, hash } = newSecret(API_TOKEN_PREFIX);
        return prisma.$transaction(async (tx) => {
          const created = await tx.apiToken.create({
            data: {
              name: body.name,
              prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
              tokenHash: hash,
              userId: user.id,
              createdById: actor?.userId,
            },
            include: withUser,
          });
          const after = toOut(created);
          await recordAudit(
            tx,
            { actor, origin },
            { action: 'token.create', entityType: 'api-token', entityId: created.id, after },
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
        await prisma.$transaction(async (tx) => {
          const revoked = await tx.apiToken.updateMany({
            where: { id: params.tokenId, revokedAt: null },
            data: { revokedAt: new Date() },
          });
          if (revoked.count === 0 && !(await tx.apiToken.findUnique({ where: { id: params.tokenId } }))) {
            throw new NotFoundError('token');
          }
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
