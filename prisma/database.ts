// One way to open Loa's database for every process: PGlite (PostgreSQL in WASM, in-process)
// when no server is configured, or a PostgreSQL server through @prisma/adapter-pg.
// Same schema, same migrations, same Prisma client.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { DatabaseTarget } from '../platform/config.ts';
import { PrismaClient } from './generated/client.ts';

export type { DatabaseTarget };

export interface Database {
  prisma: PrismaClient;
  /** The adapter factory, also used by the WASM schema engine to migrate. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  target: DatabaseTarget;
  close(): Promise<void>;
}

/** PGlite's checkpoint period (PostgreSQL's checkpoint_timeout default). */
const PGLITE_CHECKPOINT_MS = 5 * 60_000;

export interface OpenOptions {
  /** PGlite only: start from this data-dir dump (PGlite's dumpDataDir) instead of initdb. */
  loadDataDir?: Blob;
  /** PGlite on disk only: how often Loa checkpoints (default 5 minutes). */
  checkpointEveryMs?: number;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  if (target.kind === 'postgres') {
    // The adapter exchanges timestamps without their offset, so a session in another zone (a
    // server or database whose TimeZone is not UTC) would shift every instant read back: UTC.
    const adapterFactory = new PrismaPg({
      connectionString: target.url,
      max: 10,
      options: '-c TimeZone=UTC',
    });
    const prisma = new PrismaClient({ adapter: adapterFactory });
    return { prisma, adapterFactory, target, close: () => prisma.$disconnect() };
  }
  const onDisk = !target.dataDir.startsWith('memory://');
  if (onDisk) await mkdir(target.dataDir, { recursive: true });
  const pglite = await PGlite.create(target.dataDir, {
    loadDataDir: options.loadDataDir,
    // PGlite is one backend with no checkpointer process: once the WAL written since the last
    // checkpoint passes max_wal_size (1 GB by default) it stalls, spinning without writing — a
    // rollup rebuild over a million records ran past 14 minutes instead of ~2, bulk inserts stopped
    // past ~200,000 records. The size trigger is put out of reach; Loa checkpoints on a timer.
    startParams: [...PGlite.defaultStartParams, '-c', 'max_wal_size=64GB'],
  });
  // What the checkpointer would do (checkpoint_timeout): bounds the WAL kept and replayed after a crash.
  const checkpoints = onDisk
    ? setInterval(
        () => void pglite.exec('CHECKPOINT').catch(() => {}),
        options.checkpointEveryMs ?? PGLITE_CHECKPOINT_MS,
      ).unref()
    : undefined;
  // PGlite takes the host's zone for its session, and the adapter exchanges timestamps without
  // their offset: on a host not at UTC, values written or compared in SQL (now(), to_timestamp)
  // and values written through Prisma would disagree by that offset. UTC, as on the server.
  await pglite.exec(`SET TIME ZONE 'UTC'`);
  // The community adapter is typed against an older @prisma/driver-adapter-utils; the
  // runtime contract is the same.
  const adapterFactory = new PrismaPGlite(pglite) as unknown as SqlMigrationAwareDriverAdapterFactory;
  const prisma = new PrismaClient({ adapter: adapterFactory as never });
  return {
    prisma,
    adapterFactory,
    target,
    close: async () => {
      clearInterval(checkpoints);
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
