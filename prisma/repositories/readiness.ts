// Readiness asks the database one trivial question: an answer means it is up and reachable.
import type { DbClient } from './db.ts';

export async function pingDatabase(db: DbClient): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
