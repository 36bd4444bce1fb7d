// Who is calling, and which communes each of their roles reaches. Scope is hierarchical:
// an assignment names everything (neither province nor commune), a province (all its
// communes), or one commune.
import { ROLES, type Role } from './roles.ts';

export { ROLES, type Role };

export interface Assignment {
  role: Role;
  province: string | null;
  communeId: string | null;
}

export interface CommuneRef {
  id: string;
  province: string;
}

/** Where an action came from: the client's address and user agent, or the process that acted. */
export interface Origin {
  ip: string;
  userAgent: string;
}

/** Who does something that the audit trail records (no actor: a sign-in attempt, a system job). */
export interface Who {
  actor: Actor | null;
  /** The name to record when there is no actor (e.g. the username of a failed sign-in). */
  username?: string;
  origin: Origin;
}

export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
  assignments: Assignment[];
}

function covers(a: Assignment, commune: CommuneRef): boolean {
  if (a.communeId) return a.communeId === commune.id;
  if (a.province) return a.province === commune.province;
  return true;
}

export function hasRoleAnywhere(actor: Actor, roles: readonly Role[]): boolean {
  return actor.assignments.some((a) => roles.includes(a.role));
}

/** The role reaches every commune (no province or commune restriction). */
export function hasGlobalRole(actor: Actor, roles: readonly Role[]): boolean {
  return actor.assignments.some((a) => roles.includes(a.role) && !a.communeId && !a.province);
}

export function hasRoleIn(actor: Actor, roles: readonly Role[], commune: CommuneRef): boolean {
  return actor.assignments.some((a) => roles.includes(a.role) && covers(a, commune));
}

/** Any role at all in the commune: the user may know the commune's records exist. */
export function canSee(actor: Actor, commune: CommuneRef): boolean {
  return actor.assignments.some((a) => covers(a, commune));
}
