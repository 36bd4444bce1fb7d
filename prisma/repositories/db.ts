// The database handle that services and job handlers pass to repositories: the client, or the
// transaction they opened with `inTransaction`. Callers hold it without knowing it is Prisma's.
import type { Prisma, PrismaClient } from '../generated/client.ts';

export type DbClient = PrismaClient;
export type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Runs `work` in one transaction: the change and its audit record commit together or not at all.
 * Inside a transaction already, `work` simply joins it.
 */
export function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return '$transaction' in db ? db.$transaction(work) : work(db);
}
