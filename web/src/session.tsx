// The signed-in user, shared by every page, and what their roles allow in the UI. The server
// decides for real; these only keep menus and buttons honest.
import { createContext, useContext } from 'react';
import type { Commune, User } from './api-shapes.ts';
import type { Role } from './constants.ts';

export interface SessionValue {
  user: User;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in shell');
  return value;
}

export function hasGlobalRole(user: User, roles: readonly Role[]): boolean {
  return user.roles.some((r) => roles.includes(r.role) && !r.province && !r.communeId);
}

export function hasRoleAnywhere(user: User, roles: readonly Role[]): boolean {
  return user.roles.some((r) => roles.includes(r.role));
}

/** The user holds one of `roles` in this commune (directly, through its province, or everywhere). */
export function hasRoleIn(
  user: User,
  roles: readonly Role[],
  commune: Pick<Commune, 'id' | 'province'>,
): boolean {
  return user.roles.some(
    (r) =>
      roles.includes(r.role) &&
      (r.communeId ? r.communeId === commune.id : r.province ? r.province === commune.province : true),
  );
}
