// Every database test starts from PGlite with all migrations applied. Creating a PGlite runs
// initdb (5–20 s on a loaded 2-core machine) and migrating loads the WASM schema engine, so the
// run does both once, in global setup, from the migrations on disk *now* (never a stored file),
// and each test loads that data directory instead: catalog, _prisma_migrations, triggers and all.
// tests/integration/migrations.test.ts still migrates an empty database from scratch.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { inject } from 'vitest';
import { applyMigrations } from '../../prisma/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A tar of a PGlite data directory with every migration applied; '' if none was made. */
    pgliteSnapshot: string;
  }
}

/** Migrates a scratch in-memory PGlite and writes its data directory to `path`. */
export async function makeMigratedSnapshot(path: string): Promise<void> {
  const scratch = await PGlite.create('memory://');
  try {
    await applyMigrations(new PrismaPGlite(scratch) as unknown as SqlMigrationAwareDriverAdapterFactory);
    // Flushed to the data files, so a test's PGlite starts without replaying the WAL.
    await scratch.exec('CHECKPOINT');
    await writeFile(path, Buffer.from(await (await scratch.dumpDataDir('none')).arrayBuffer()));
  } finally {
    await scratch.close();
  }
}

/**
 * makeMigratedSnapshot in a child process: global setup runs in vitest's module runner, which
 * cannot load the schema engine (no import.meta.resolve). Returns the snapshot's path.
 */
export async function writeMigratedSnapshot(dir: string): Promise<string> {
  const path = join(dir, 'pglite-migrated.tar');
  const child = join(import.meta.dirname, 'pglite-snapshot-child.ts');
  await promisify(execFile)(process.execPath, ['--import', 'tsx', child, path], { timeout: 300_000 });
  return path;
}

let loaded: Promise<Blob | undefined> | undefined;

/** This run's migrated data directory, read once per test process; undefined if none was made. */
export function migratedSnapshot(): Promise<Blob | undefined> {
  const path = inject('pgliteSnapshot');
  loaded ??= path ? readFile(path).then((bytes) => new Blob([bytes])) : Promise.resolve(undefined);
  return loaded;
}
