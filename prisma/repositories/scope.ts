// The communes an actor reaches, as a Prisma `where` on Commune: the access rules of
// domain/access.ts in the database's terms.
import { type Actor, ROLES, type Role } from '../../domain/access.ts';

/**
 * A Prisma `where` on Commune selecting the communes where the actor holds one of `roles`
 * (none for nobody).
 */
export function communeWhere(actor: Actor | null, roles: readonly Role[] = ROLES) {
  if (!actor) return { id: { in: [] as string[] } };
  const relevant = actor.assignments.filter((a) => roles.includes(a.role));
  if (relevant.some((a) => !a.communeId && !a.province)) return {};
  const communeIds = relevant.flatMap((a) => (a.communeId ? [a.communeId] : []));
  const provinces = relevant.flatMap((a) => (!a.communeId && a.province ? [a.province] : []));
  return { OR: [{ id: { in: communeIds } }, { province: { in: provinces } }] };
}
