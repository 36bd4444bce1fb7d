// How access rules find the commune of a record: its id and province (for province scope).

import type { CommuneRef } from '../../domain/access.ts';
import type { PrismaClient } from '../generated/client.ts';

export const COMMUNE_REF = { id: true, province: true } as const;

export function communeRef(prisma: PrismaClient, communeId: string): Promise<CommuneRef | null> {
  return prisma.commune.findUnique({ where: { id: communeId }, select: COMMUNE_REF });
}
