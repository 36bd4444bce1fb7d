// User administration: create, change roles and scope, disable. Global admins only.
import { z } from 'zod';
import { hashPassword } from '../../../platform/password.ts';
import type { PrismaClient } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { NotFoundError, ValidationError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Name, Province, RoleName, Uuid } from '../../http/schemas.ts';
import { toUserOut, UserOut, userInclude } from './me.ts';

const RoleAssignmentIn = z
  .strictObject({
    role: RoleName,
    province: Province.nullish(),
    communeId: Uuid.nullish(),
  })
  .refine((a) => !(a.province && a.communeId), { message: 'give a province or a commune, not both' });

const Username = z
  .string()
  .trim()
  .min(2, 'at least 2 characters')
  .max(64, 'at most 64 characters')
  .regex(/^[a-z0-9._-]+$/, 'lowercase letters, digits, dot, dash and underscore only');
const Password = z.string().min(10, 'at least 10 characters').max(256, 'at most 256 characters');

const CreateUser = z.strictObject({
  username: Username,
  displayName: Name(120),
  password: Password,
  locale: z.enum(['vi', 'en']).default('vi'),
  roles: z.array(RoleAssignmentIn).max(50).default([]),
});
const UpdateUser = z.strictObject({
  displayName: Name(120).optional(),
  password: Password.optional(),
  locale: z.enum(['vi', 'en']).optional(),
  disabled: z.boolean().optional(),
  roles: z.array(RoleAssignmentIn).max(50).optional(),
});
const UserParams = z.strictObject({ userId: Uuid });

async function checkCommunes(prisma: PrismaClient, roles: { communeId?: string | null }[]) {
  const ids = [...new Set(roles.flatMap((r) => (r.communeId ? [r.communeId] : [])))];
  const found = await prisma.commune.count({ where: { id: { in: ids } } });
  if (found !== ids.length) {
    throw new ValidationError([{ field: 'body.roles', message: 'names a commune that does not exist' }]);
  }
}

const toRows = (roles: z.output<typeof RoleAssignmentIn>[]) =>
  roles.map((r) => ({ role: r.role, province: r.province ?? null, communeId: r.communeId ?? null }));

export function userRoutes(prisma: PrismaClient): RouteDefinition[] {
  const admin = { kind: 'global', roles: ['ADMIN'] } as const;
  return [
    defineRoute({
      method: 'get',
      path: '/api/users',
      summary: 'List users with their roles and scope',
      tags: ['users'],
      access: admin,
      response: { description: 'Users', schema: z.array(UserOut) },
      problems: [401, 403],
      handler: async () => {
        const users = await prisma.user.findMany({ include: userInclude, orderBy: { username: 'asc' } });
        return users.map(toUserOut);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users',
      summary: 'Create a user',
      tags: ['users'],
      access: admin,
      request: { body: CreateUser },
      response: { status: 201, description: 'Created', schema: UserOut },
      problems: [401, 403, 409],
      handler: async ({ body }, { actor, origin }) => {
        await checkCommunes(prisma, body.roles);
        const passwordHash = await hashPassword(body.password);
        return prisma.$transaction(async (tx) => {
          const user = await tx.user.create({
            data: {
              username: body.username,
              displayName: body.displayName,
              locale: body.locale,
              passwordHash,
              roles: { create: toRows(body.roles) },
            },
            include: userInclude,
          });
          const after = toUserOut(user);
          await recordAudit(
            tx,
            { actor, origin },
            { action: 'user.create', entityType: 'user', entityId: user.id, after },
          );
          return after;
        });
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/users/:userId',
      summary: 'Change a user: name, password, roles and scope, disabled',
      tags: ['users'],
      access: admin,
      request: { params: UserParams, body: UpdateUser },
      response: { description: 'Updated', schema: UserOut },
      problems: [401, 403, 404],
      handler: async ({ params, body }, { actor, origin }) => {
        const existing = await prisma.user.findUnique({ where: { id: params.userId }, include: userInclude });
        if (!existing) throw new NotFoundError('user');
        if (body.roles) await checkCommunes(prisma, body.roles);
        const passwordHash = body.password ? await hashPassword(body.password) : undefined;
        return prisma.$transaction(async (tx) => {
          if (body.roles) {
            await tx.roleAssignment.deleteMany({ where: { userId: existing.id } });
            await tx.roleAssignment.createMany({
              data: toRows(body.roles).map((r) => ({ ...r, userId: existing.id })),
            });
          }
          const user = await tx.user.update({
            where: { id: existing.id },
            data: {
              displayName: body.displayName,
              locale: body.locale,
              disabled: body.disabled,
              passwordHash,
            },
            include: userInclude,
          });
          // A disabled user or a reset password ends every session at once.
          if (body.disabled || passwordHash) await tx.session.deleteMany({ where: { userId: user.id } });
          const after = toUserOut(user);
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: body.roles ? 'user.roles-change' : 'user.update',
              entityType: 'user',
              entityId: user.id,
              before: toUserOut(existing),
              after: { ...after, passwordReset: Boolean(passwordHash) },
            },
          );
          return after;
        });
      },
    }),
  ];
}
