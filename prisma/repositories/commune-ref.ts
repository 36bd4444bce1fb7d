// How access rules find the commune of a record: its id and province (for province scope).

import type { CommuneRef } from '../../domain/access.ts';
import type { Db } from './db.ts';

export const COMMUNE_REF = { id: true, province: true } as const;

export function communeRef(db: Db, communeId: string): Promise<CommuneRef | null> {
  return db.commune.findUnique({ where: { id: communeId }, select: COMMUNE_REF });
}
