// The only code that reads and writes api_token rows (machine clients, stored by token hash).
import type { Db } from './db.ts';
import { IDENTITY, type Identity, toIdentity } from './users.ts';

export interface StoredApiToken {
  id: string;
  name: string;
  prefix: string;
  userId: string;
  username: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiToken {
  name: string;
  prefix: string;
  tokenHash: string;
  userId: string;
  createdById: string | undefined;
}

const select = {
  id: true,
  name: true,
  prefix: true,
  userId: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  user: { select: { username: true } },
} as const;

type Row = Omit<StoredApiToken, 'username'> & { user: { username: string } };

const toStoredToken = ({ user, ...token }: Row): StoredApiToken => ({
  id: token.id,
  name: token.name,
  prefix: token.prefix,
  userId: token.userId,
  username: user.username,
  createdAt: token.createdAt,
  lastUsedAt: token.lastUsedAt,
  revokedAt: token.revokedAt,
});

export const apiTokenRepository = {
  async list(db: Db): Promise<StoredApiToken[]> {
    return (await db.apiToken.findMany({ select, orderBy: { createdAt: 'desc' } })).map(toStoredToken);
  },

  async create(db: Db, token: NewApiToken): Promise<StoredApiToken> {
    return toStoredToken(await db.apiToken.create({ data: token, select }));
  },

  /** Revokes the token (once: a revoked token keeps its first revocation time); false when there is none. */
  async revoke(db: Db, id: string): Promise<boolean> {
    const revoked = await db.apiToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return (
      revoked.count > 0 || (await db.apiToken.findUnique({ where: { id }, select: { id: true } })) !== null
    );
  },

  async findByTokenHash(
    db: Db,
    tokenHash: string,
  ): Promise<{ id: string; lastUsedAt: Date | null; revokedAt: Date | null; user: Identity } | null> {
    const row = await db.apiToken.findUnique({
      where: { tokenHash },
      select: { id: true, lastUsedAt: true, revokedAt: true, user: IDENTITY },
    });
    return row ? { ...row, user: toIdentity(row.user) } : null;
  },

  async touch(db: Db, id: string, usedAt: Date): Promise<void> {
    await db.apiToken.update({ where: { id }, data: { lastUsedAt: usedAt } });
  },
};
