// Every database test starts from PGlite with all migrations applied. Creating a PGlite runs
// initdb (5–25 s on a loaded 2-core machine) and migrating loads the WASM schema engine, so the
// first test process that needs it does both once per run, from the migrations on disk *now*
// (never a stored file), and writes the data directory to the run's folder; every database test
// then loads that (catalog, _prisma_migrations, triggers and all). A run with no database test
// makes none. tests/integration/migrations.test.ts still migrates an empty database.
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { inject } from 'vitest';
import { applyMigrations } from '../../prisma/migrate.ts';

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

const SNAPSHOT = 'pglite-migrated.tar';
const FAILED = 'failed';
/** Below the hook timeout, so a test waiting on another process's snapshot can still migrate. */
const WAIT_MS = 60_000;

/** The snapshot, made here if no other test process has claimed it; undefined if it failed. */
async function makeOrWait(dir: string): Promise<Blob | undefined> {
  const path = join(dir, SNAPSHOT);
  const claimed = await writeFile(join(dir, 'maker'), String(process.pid), { flag: 'wx' }).then(
    () => true,
    () => false,
  );
  if (claimed) {
    try {
      await makeMigratedSnapshot(`${path}.partial`);
      await rename(`${path}.partial`, path);
    } catch (err) {
      // Each test then migrates for itself, and fails as it did before if the migrations do.
      await writeFile(join(dir, FAILED), (err as Error).message);
      return undefined;
    }
  } else {
    for (const end = Date.now() + WAIT_MS; !existsSync(path); await sleep(200)) {
      if (existsSync(join(dir, FAILED)) || Date.now() > end) return undefined;
    }
  }
  return new Blob([await readFile(path)]);
}

let loaded: Promise<Blob | undefined> | undefined;

/** This run's migrated data directory, read once per test process; undefined if none. */
export function migratedSnapshot(): Promise<Blob | undefined> {
  const dir = inject('pgliteSnapshotDir');
  loaded ??= dir ? makeOrWait(dir) : Promise.resolve(undefined);
  return loaded;
}
