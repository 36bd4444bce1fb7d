// npm run db:migrate                      apply pending migrations to the configured database
// npm run db:new-migration -- <name>      write prisma/migrations/<stamp>_<name> from schema.prisma
import { databaseTarget, loadConfig } from '../platform/config.ts';
import { openDatabase } from './database.ts';
import { applyMigrations, createMigration } from './migrate.ts';

const [command, name] = process.argv.slice(2);

if (command === 'new') {
  if (!name) {
    console.error('Usage: npm run db:new-migration -- <snake_case_name>');
    process.exit(2);
  }
  const folder = await createMigration(name);
  console.log(folder ? `Created prisma/migrations/${folder}` : 'No schema changes: no migration written.');
} else if (command === 'deploy') {
  const db = await openDatabase(databaseTarget(loadConfig()));
  try {
    const applied = await applyMigrations(db.adapterFactory);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  } finally {
    await db.close();
  }
} else {
  console.error('Usage: migrate-cli.ts deploy | new <name>');
  process.exit(2);
}
