// The only code that reads and writes session rows (signed-in browsers, stored by token hash).
import type { Origin } from '../../domain/access.ts';
import type { Db } from './db.ts';
import { IDENTITY, type Identity, toIdentity } from './users.ts';

export interface StoredSession {
  id: string;
  lastSeenAt: Date;
  expiresAt: Date;
  user: Identity;
}

export const sessionRepository = {
  /** Opens a session and returns its id. */
  async start(
    db: Db,
    session: { tokenHash: string; userId: string; expiresAt: Date } & Origin,
  ): Promise<string> {
    return (await db.session.create({ data: session, select: { id: true } })).id;
  },

  async findByTokenHash(db: Db, tokenHash: string): Promise<StoredSession | null> {
    const row = await db.session.findUnique({
      where: { tokenHash },
      select: { id: true, lastSeenAt: true, expiresAt: true, user: IDENTITY },
    });
    return row ? { ...row, user: toIdentity(row.user) } : null;
  },

  /** Sliding expiry: the session was used at `seenAt` and now lasts until `expiresAt`. */
  async extend(db: Db, id: string, seenAt: Date, expiresAt: Date): Promise<void> {
    await db.session.update({ where: { id }, data: { lastSeenAt: seenAt, expiresAt } });
  },

  /** Ends one session; ending one already gone is no error. */
  async end(db: Db, id: string): Promise<void> {
    await db.session.deleteMany({ where: { id } });
  },

  /** Ends every session of the user, but `except` (the one making the change) when given. */
  async endAllOf(db: Db, userId: string, except?: string): Promise<void> {
    await db.session.deleteMany({ where: { userId, ...(except ? { id: { not: except } } : {}) } });
  },
};
