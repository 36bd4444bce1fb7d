// User administration: create, change roles and scope, disable. Global admins only.
import { z } from 'zod';
import { hashPassword } from '../../../platform/password.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { communeRepository } from '../../../prisma/repositories/communes.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import { sessionRepository } from '../../../prisma/repositories/sessions.ts';
import { userRepository } from '../../../prisma/repositories/users.ts';
import { NotFoundError, ValidationError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Name, Province, RoleName, Uuid } from '../../http/schemas.ts';
import { toUserOut, UserOut } from './me.ts';

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

async function checkCommunes(db: DbClient, roles: { communeId?: string | null }[]) {
  const ids = roles.flatMap((r) => (r.communeId ? [r.communeId] : []));
  if (!(await communeRepository.allExist(db, ids))) {
    throw new ValidationError([{ field: 'body.roles', message: 'names a commune that does not exist' }]);
  }
}

const toRows = (roles: z.output<typeof RoleAssignmentIn>[]) =>
  roles.map((r) => ({ role: r.role, province: r.province ?? null, communeId: r.communeId ?? null }));

export function userRoutes(db: DbClient): RouteDefinition[] {
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
      handler: async () => (await userRepository.list(db)).map(toUserOut),
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
        await checkCommunes(db, body.roles);
        const passwordHash = await hashPassword(body.password);
        return inTransaction(db, async (tx) => {
          const user = await userRepository.create(tx, {
            username: body.username,
            displayName: body.displayName,
            locale: body.locale,
            passwordHash,
            roles: toRows(body.roles),
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
        const existing = await userRepository.find(db, params.userId);
        if (!existing) throw new NotFoundError('user');
        if (body.roles) await checkCommunes(db, body.roles);
        const passwordHash = body.password ? await hashPassword(body.password) : undefined;
        return inTransaction(db, async (tx) => {
          if (body.roles) await userRepository.replaceRoles(tx, existing.id, toRows(body.roles));
          const user = await userRepository.update(tx, existing.id, {
            displayName: body.displayName,
            locale: body.locale,
            disabled: body.disabled,
            passwordHash,
          });
          // A disabled user or a reset password ends every session at once.
          if (body.disabled || passwordHash) await sessionRepository.endAllOf(tx, user.id);
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
