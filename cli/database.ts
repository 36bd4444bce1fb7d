// The database a command works on: the server's own configuration (DATABASE_URL, or the PGlite
// data dir under LOA_DATA_DIR — stop `npm start` first, PGlite has one owner), migrated, closed
// after the work. A bad configuration is a usage error naming the variable.
import { ConfigError, databaseTarget, loadConfig } from '../platform/config.ts';
import { openDatabase } from '../prisma/database.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import type { DbClient } from '../prisma/repositories/db.ts';
import { UsageError } from './command.ts';

export async function withDatabase<T>(work: (db: DbClient) => Promise<T>): Promise<T> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message.replaceAll('\n', ' '));
    throw err;
  }
  const db = await openDatabase(databaseTarget(config));
  try {
    await applyMigrations(db.adapterFactory);
    return await work(db.prisma);
  } finally {
    await db.close();
  }
}
