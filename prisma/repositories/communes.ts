// The only code that reads and writes commune rows.
import type { Actor, Role } from '../../domain/access.ts';
import type { Db } from './db.ts';
import { communeWhere } from './scope.ts';

export interface StoredCommune {
  id: string;
  code: string;
  name: string;
  province: string;
  timeZone: string;
  languages: string[];
  /** The languages every bulletin of the commune must have a track in (a subset of `languages`). */
  requiredLanguages: string[];
}

export type CommuneFields = Omit<StoredCommune, 'id'>;

const select = {
  id: true,
  code: true,
  name: true,
  province: true,
  timeZone: true,
  languages: true,
  requiredLanguages: true,
} as const;

export const communeRepository = {
  /** The communes where the actor holds one of `roles` (any role by default). */
  listReachedBy(db: Db, actor: Actor | null, roles?: readonly Role[]): Promise<StoredCommune[]> {
    return db.commune.findMany({
      where: communeWhere(actor, roles),
      select,
      orderBy: [{ province: 'asc' }, { name: 'asc' }],
    });
  },

  async idsReachedBy(db: Db, actor: Actor | null, roles?: readonly Role[]): Promise<string[]> {
    const rows = await db.commune.findMany({ where: communeWhere(actor, roles), select: { id: true } });
    return rows.map((c) => c.id);
  },

  /** The commune, or the database's not-found error (answered as 404). */
  get(db: Db, id: string): Promise<StoredCommune> {
    return db.commune.findUniqueOrThrow({ where: { id }, select });
  },

  create(db: Db, commune: CommuneFields): Promise<StoredCommune> {
    return db.commune.create({ data: commune, select });
  },

  update(db: Db, id: string, change: Partial<CommuneFields>): Promise<StoredCommune> {
    return db.commune.update({ where: { id }, data: change, select });
  },

  /** Whether every id names a commune. */
  async allExist(db: Db, ids: readonly string[]): Promise<boolean> {
    const unique = [...new Set(ids)];
    return (await db.commune.count({ where: { id: { in: unique } } })) === unique.length;
  },
};
