// Applies and creates migrations with the WASM schema engine (no native binary download).
// applyMigrations records each one in _prisma_migrations exactly as `prisma migrate deploy`
// does, so a connected machine can take over with the standard CLI.
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { MIGRATIONS_DIR, readMigrationList, SCHEMA_PATH, writeMigration } from './migrations-dir.ts';
import { openSchemaEngine } from './schema-engine.ts';

const NO_FILTERS = { externalTables: [], externalEnums: [] };

async function readSchema() {
  return { path: SCHEMA_PATH, content: await readFile(SCHEMA_PATH, 'utf8') };
}

export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  dir = MIGRATIONS_DIR,
): Promise<string[]> {
  const engine = await openSchemaEngine(adapterFactory, await readSchema());
  try {
    const migrationsList = await readMigrationList(dir);
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/**
 * The SQL that takes a database with every existing migration applied to the schema in
 * schema.prisma. It diffs against a throwaway in-memory PGlite rather than a shadow database.
 */
export async function pendingSchemaChanges(dir = MIGRATIONS_DIR): Promise<string> {
  const scratch = await PGlite.create('memory://');
  const factory = new PrismaPGlite(scratch) as unknown as SqlMigrationAwareDriverAdapterFactory;
  try {
    await applyMigrations(factory, dir);
    const schema = await readSchema();
    const engine = await openSchemaEngine(factory, schema);
    try {
      const result = await engine.diff({
        from: { tag: 'schemaDatasource', files: [schema], configDir: process.cwd() },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters: NO_FILTERS,
      });
      return result.stdout ?? '';
    } finally {
      engine.free();
    }
  } finally {
    await scratch.close();
  }
}

const EMPTY_DIFF = /^\s*(--[^\n]*\n?\s*)*$/;

export async function createMigration(name: string, dir = MIGRATIONS_DIR): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Migration name must be snake_case ASCII: ${name}`);
  const sql = await pendingSchemaChanges(dir);
  if (EMPTY_DIFF.test(sql) || sql.includes('This is an empty migration')) return null;
  return writeMigration(name, sql, new Date(), dir);
}
