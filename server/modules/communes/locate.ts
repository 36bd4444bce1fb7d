// How access rules find the commune of a record: its id and province (for province scope).
import type { PrismaClient } from '../../../prisma/generated/client.ts';
import type { CommuneRef } from '../accounts/actor.ts';

export const COMMUNE_REF = { id: true, province: true } as const;

export function communeRef(prisma: PrismaClient, communeId: string): Promise<CommuneRef | null> {
  return prisma.commune.findUnique({ where: { id: communeId }, select: COMMUNE_REF });
}
