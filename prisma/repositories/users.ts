// The only code that reads and writes user and role_assignment rows. A user always comes with
// their role assignments and the name of each assignment's commune, as the API shows them.
import type { Assignment } from '../../domain/access.ts';
import type { Db } from './db.ts';

export interface StoredAssignment extends Assignment {
  communeName: string | null;
}

export interface StoredUser {
  id: string;
  username: string;
  displayName: string;
  locale: string;
  disabled: boolean;
  createdAt: Date;
  roles: StoredAssignment[];
}

export interface NewUser {
  username: string;
  displayName: string;
  locale: string;
  passwordHash: string;
  roles: Assignment[];
}

export interface UserChange {
  displayName?: string;
  locale?: string;
  disabled?: boolean;
  passwordHash?: string;
}

const select = {
  id: true,
  username: true,
  displayName: true,
  locale: true,
  disabled: true,
  createdAt: true,
  roles: { select: { role: true, province: true, communeId: true, commune: { select: { name: true } } } },
} as const;

type Row = Omit<StoredUser, 'roles'> & { roles: (Assignment & { commune: { name: string } | null })[] };

function toStoredUser(row: Row): StoredUser {
  const { roles, ...user } = row;
  return {
    ...user,
    roles: roles.map((r) => ({
      role: r.role,
      province: r.province,
      communeId: r.communeId,
      communeName: r.commune?.name ?? null,
    })),
  };
}

const toRows = (roles: Assignment[]) =>
  roles.map((r) => ({ role: r.role, province: r.province, communeId: r.communeId }));

export const userRepository = {
  async list(db: Db): Promise<StoredUser[]> {
    const rows = await db.user.findMany({ select, orderBy: { username: 'asc' } });
    return rows.map(toStoredUser);
  },

  async find(db: Db, id: string): Promise<StoredUser | null> {
    const row = await db.user.findUnique({ where: { id }, select });
    return row ? toStoredUser(row) : null;
  },

  /** The user, or the database's not-found error (answered as 404). */
  async get(db: Db, id: string): Promise<StoredUser> {
    return toStoredUser(await db.user.findUniqueOrThrow({ where: { id }, select }));
  },

  /** The user and their password hash, for checking a sign-in; never for answering. */
  async findForSignIn(db: Db, username: string): Promise<(StoredUser & { passwordHash: string }) | null> {
    const row = await db.user.findUnique({ where: { username }, select: { ...select, passwordHash: true } });
    return row ? { ...toStoredUser(row), passwordHash: row.passwordHash } : null;
  },

  /** The user's password hash, or the database's not-found error (answered as 404). */
  async passwordHashOf(db: Db, id: string): Promise<string> {
    return (await db.user.findUniqueOrThrow({ where: { id }, select: { passwordHash: true } })).passwordHash;
  },

  async create(db: Db, user: NewUser): Promise<StoredUser> {
    const { roles, ...fields } = user;
    return toStoredUser(
      await db.user.create({ data: { ...fields, roles: { create: toRows(roles) } }, select }),
    );
  },

  async update(db: Db, id: string, change: UserChange): Promise<StoredUser> {
    return toStoredUser(await db.user.update({ where: { id }, data: change, select }));
  },

  /** Replaces every role assignment of the user. */
  async replaceRoles(db: Db, userId: string, roles: Assignment[]): Promise<void> {
    await db.roleAssignment.deleteMany({ where: { userId } });
    await db.roleAssignment.createMany({ data: toRows(roles).map((r) => ({ ...r, userId })) });
  },
};

/** Who a session or an API token acts as: enough to build an Actor. */
export interface Identity {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  assignments: Assignment[];
}

export const IDENTITY = {
  select: {
    id: true,
    username: true,
    displayName: true,
    disabled: true,
    roles: { select: { role: true, province: true, communeId: true } },
  },
} as const;

export function toIdentity({
  roles,
  ...user
}: Omit<Identity, 'assignments'> & { roles: Assignment[] }): Identity {
  return { ...user, assignments: roles };
}
