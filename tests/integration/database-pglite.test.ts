// PGlite runs one backend with no checkpointer process. Past max_wal_size of WAL since the last
// checkpoint it stalls (a million-record rollup rebuild: 14+ minutes instead of ~2), so Loa opens
// it with that trigger out of reach and checkpoints on a timer of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDatabase } from '../../prisma/database.ts';

it('opens PGlite with the WAL size trigger out of reach and checkpoints on its own timer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loa-pglite-'));
  const db = await openDatabase({ kind: 'pglite', dataDir: dir }, { checkpointEveryMs: 200 });
  try {
    const [wal] = await db.prisma.$queryRaw<{ mb: number }[]>`
      SELECT setting::int AS mb FROM pg_settings WHERE name = 'max_wal_size'`;
    expect(wal?.mb).toBeGreaterThanOrEqual(64 * 1024);
    const redo = async () =>
      (
        await db.prisma.$queryRaw<
          { lsn: string }[]
        >`SELECT redo_lsn::text AS lsn FROM pg_control_checkpoint()`
      )[0]?.lsn;
    const before = await redo();
    await db.prisma
      .$executeRaw`CREATE TABLE wal_filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 20000) g`;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await redo()).not.toBe(before);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
