import { z } from 'zod';
import type { StoredUser } from '../../../prisma/repositories/users.ts';
import { RoleName } from '../../http/schemas.ts';

export const RoleAssignmentOut = z
  .object({
    role: RoleName,
    province: z.string().nullable(),
    communeId: z.string().nullable(),
    communeName: z.string().nullable(),
  })
  .meta({ id: 'RoleAssignment' });

export const UserOut = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    locale: z.string(),
    disabled: z.boolean(),
    createdAt: z.date(),
    roles: z.array(RoleAssignmentOut),
  })
  .meta({ id: 'User' });

export type UserOut = z.input<typeof UserOut>;

/** Field by field, so nothing else a caller holds (a password hash) reaches an answer. */
export function toUserOut(user: StoredUser): UserOut {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    locale: user.locale,
    disabled: user.disabled,
    createdAt: user.createdAt,
    roles: user.roles.map((r) => ({
      role: r.role,
      province: r.province,
      communeId: r.communeId,
      communeName: r.communeName,
    })),
  };
}
