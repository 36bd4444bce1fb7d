// The broadcast log on both databases: one ENDED record per broadcast written by its terminal
// move, a per-commune chain that concurrent endings cannot fork, a database that refuses
// UPDATE/DELETE, and a verifier that names an edited record and catches a consistent rewrite
// against the heads an earlier export printed.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailed } from '../../../cli/command.ts';
import { verifyCommand } from '../../../cli/log.ts';
import { chainHash, GENESIS_HASH, recordBody } from '../../../domain/session-log/canonical.ts';
import { formatChainHeads } from '../../../domain/session-log/heads.ts';
import { moveBroadcast } from '../../../prisma/repositories/broadcasts.ts';
import { currentChainHeads } from '../../../prisma/repositories/session-records.ts';
import { verifyLog } from '../../../prisma/repositories/session-verification.ts';
import { databaseKinds, type TestDatabaseKind } from '../../setup/databases.ts';

const run = promisify(execFile);
const LOA = resolve(import.meta.dirname, '../../../cli/loa.mjs');

type Opened = Awaited<ReturnType<TestDatabaseKind['open']>>;

async function commune(db: Opened, code: string, clusters: number) {
  const c = await db.prisma.commune.create({
    data: { code, name: `Xã ${code} Mường Tè`, province: 'Lai Châu', languages: ['vie', 'hmn'] },
  });
  const ids: string[] = [];
  for (let i = 0; i < clusters; i++) {
    ids.push((await db.prisma.cluster.create({ data: { communeId: c.id, name: `Cụm loa ${i + 1}` } })).id);
  }
  return { id: c.id, code, clusterIds: ids };
}

/** A planned broadcast of a bilingual programme (20 s Vietnamese, 20 s Hmong) on one cluster. */
function broadcast(db: Opened, communeId: string, clusterId: string, at: Date) {
  return db.prisma.broadcast.create({
    data: {
      kind: 'EMERGENCY',
      communeId,
      clusterId,
      requestId: crypto.randomUUID(),
      scheduledAt: at,
      priority: 'NORMAL',
      profileId: 'wav-l16',
      driverKind: 'RECORDER',
      durationSec: 41,
      plan: {
        items: [
          {
            bulletinId: '00000000-0000-4000-8000-000000000001',
            renditionId: '00000000-0000-4000-8000-000000000002',
            path: 'x.wav',
            sha256: 'b'.repeat(64),
            bytes: 1,
            durationSec: 41,
            segments: [
              { kind: 'language', language: 'vie', startSec: 0, durationSec: 20 },
              { kind: 'language', language: 'hmn', startSec: 21, durationSec: 20 },
            ],
          },
        ],
      },
    },
  });
}

type Ending = 'aired' | 'partial' | 'missed' | 'cancelled';

/** Starts the airing of a broadcast the way dispatch does (claimed, then its first audio). */
async function start(db: Opened, id: string) {
  await db.prisma.broadcast.update({ where: { id }, data: { status: 'STARTING', startedAt: new Date() } });
  return moveBroadcast(db.prisma, id, 'AIRING', { firstAudioAt: new Date(), skewMs: 1.25 });
}

/** Ends a broadcast the way dispatch, the sweep or a cancellation does. */
function end(db: Opened, id: string, how: Ending) {
  if (how === 'missed') return moveBroadcast(db.prisma, id, 'MISSED', { reasonCode: 'late', reason: 'late' });
  if (how === 'cancelled') return moveBroadcast(db.prisma, id, 'CANCELLED', { reasonCode: 'cancelled' });
  return moveBroadcast(db.prisma, id, how === 'aired' ? 'AIRED' : 'PARTIAL', {
    secondsAired: how === 'aired' ? 41 : 30,
    endedAt: new Date(),
    ...(how === 'partial' ? { reasonCode: 'short', reason: 'ended early' } : {}),
  });
}

/** What a superuser can do: switch the append-only trigger off for one change. */
async function behindTheBack(db: Opened, sql: string) {
  await db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('ALTER TABLE session_record DISABLE TRIGGER session_record_no_update_delete');
    await tx.$executeRawUnsafe(sql);
    await tx.$executeRawUnsafe('ALTER TABLE session_record ENABLE TRIGGER session_record_no_update_delete');
  });
}

describe.each(databaseKinds)('the broadcast log on $name', (kind) => {
  let db: Opened;
  let a: Awaited<ReturnType<typeof commune>>;
  let b: Awaited<ReturnType<typeof commune>>;
  const dirs: string[] = [];
  beforeAll(async () => {
    db = await kind.openMigrated();
    a = await commune(db, 'A01', 6);
    b = await commune(db, 'B02', 3);
  });
  afterAll(async () => {
    await db?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('writes one ENDED record per ending; concurrent endings do not fork a commune chain', async () => {
    const at = new Date(Date.now() - 1000);
    const rows = [];
    for (let round = 0; round < 4; round++) {
      for (const c of [a, b])
        for (const cl of c.clusterIds)
          rows.push(await broadcast(db, c.id, cl, new Date(at.getTime() + round)));
    }
    const hows: Ending[] = ['aired', 'partial', 'missed', 'cancelled'];
    const howOf = (i: number) => hows[i % hows.length] as Ending;
    await Promise.all(
      rows.map((r, i) => (howOf(i) === 'aired' || howOf(i) === 'partial' ? start(db, r.id) : null)),
    );
    // Every ending at once, and each asked for twice (two workers racing): one wins, one record each.
    const outcomes = await Promise.all(
      rows.flatMap((r, i) => [end(db, r.id, howOf(i)), end(db, r.id, howOf(i))]),
    );
    expect(outcomes.filter(Boolean).length).toBe(rows.length);
    const records = await db.prisma.sessionRecord.findMany({
      orderBy: [{ communeId: 'asc' }, { seq: 'asc' }],
    });
    expect(records.map((r) => r.broadcastId).sort()).toEqual(rows.map((r) => r.id).sort());
    for (const c of [a, b]) {
      const chain = records.filter((r) => r.communeId === c.id);
      expect(chain.map((r) => r.seq)).toEqual(chain.map((_, i) => i + 1));
      expect(chain.map((r) => r.prevHash)).toEqual([GENESIS_HASH, ...chain.slice(0, -1).map((r) => r.hash)]);
    }
    const result = await verifyLog(db.prisma);
    expect(result.ok).toBe(true);
    expect(result.chains.map((c) => [c.commune, c.records])).toEqual([
      ['A01', 24],
      ['B02', 12],
    ]);
    expect(result.chainHeads).toEqual(await currentChainHeads(db.prisma, [a.id, b.id]));

    // What a record holds: per-language seconds from the plan and the seconds aired, the start marker.
    const partial = records.find((r) => r.status === 'PARTIAL');
    expect(partial).toMatchObject({
      communeCode: expect.stringMatching(/A01|B02/),
      clusterName: expect.stringMatching(/^Cụm loa/),
      languages: ['vie', 'hmn'],
      languageSeconds: [
        { language: 'vie', plannedSec: 20, airedSec: 20 },
        { language: 'hmn', plannedSec: 20, airedSec: 9 },
      ],
      minLanguageShare: 0.45,
      secondsAired: 30,
      skewMs: 1.25,
    });
    expect(await db.prisma.sessionStart.count()).toBe(rows.length / 2);
    // A second record of the same broadcast is refused by the database.
    const [first] = records;
    await expect(
      db.prisma.$queryRawUnsafe(
        'SELECT session_record_append($1::jsonb, $2)',
        JSON.stringify({ ...first, seq: undefined }),
        'x',
      ),
    ).rejects.toThrow(/unique|duplicate/i);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of the log', async () => {
    await expect(
      db.prisma.$executeRawUnsafe(`UPDATE session_record SET "clusterName" = 'x'`),
    ).rejects.toThrow(/append-only/);
    await expect(db.prisma.$executeRawUnsafe('DELETE FROM session_record')).rejects.toThrow(/append-only/);
    await expect(db.prisma.$executeRawUnsafe('TRUNCATE session_record')).rejects.toThrow(/append-only/);
    await expect(db.prisma.$executeRawUnsafe(`UPDATE session_start SET "skewMs" = 0`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.prisma.$executeRawUnsafe('DELETE FROM session_start')).rejects.toThrow(/append-only/);
    expect(await db.prisma.sessionRecord.count()).toBe(36);
  });

  it('names the record edited behind the application, and catches a consistent rewrite --against an earlier export', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loa-log-'));
    dirs.push(dir);
    const before = await verifyLog(db.prisma);
    // An export made now: a CSV whose last row holds the heads in one (quoted) cell.
    const exportFile = join(dir, 'bao-cao-quý.csv');
    const heads = formatChainHeads(before.chainHeads);
    await writeFile(exportFile, `\uFEFFXã,Buổi phát\nA01,24\n"${heads.replaceAll('"', '""')}"\n`);

    // 1. One field of record #5 of A01 changed with the trigger off: the verifier names it.
    await behindTheBack(
      db,
      `UPDATE session_record SET "secondsAired" = "secondsAired" + 1 WHERE "communeId" = '${a.id}' AND seq = 5`,
    );
    const edited = await verifyLog(db.prisma, { communeCode: 'A01' });
    expect(edited.ok).toBe(false);
    const target = await db.prisma.sessionRecord.findUniqueOrThrow({
      where: { communeId_seq: { communeId: a.id, seq: 5 } },
    });
    expect(edited.chains[0]?.mismatch).toMatchObject({
      problem: 'hash',
      seq: 5,
      broadcastId: target.broadcastId,
    });
    const failed = await verifyCommand(db.prisma, ['--commune', 'A01']).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(CommandFailed);
    expect((failed as Error).message).toMatch(new RegExp(`#5 .*${target.broadcastId}`));

    // 2. The whole chain rewritten consistently (every hash recomputed): it verifies on its own…
    const chain = await db.prisma.sessionRecord.findMany({
      where: { communeId: a.id },
      orderBy: { seq: 'asc' },
    });
    let prev = GENESIS_HASH;
    const statements = chain.map((r) => {
      const hash = chainHash(r.seq, prev, recordBody(r));
      const sql = `UPDATE session_record SET "prevHash" = '${prev}', hash = '${hash}' WHERE "communeId" = '${a.id}' AND seq = ${r.seq}`;
      prev = hash;
      return sql;
    });
    for (const sql of statements) await behindTheBack(db, sql);
    const rewritten = await verifyLog(db.prisma, { communeCode: 'A01' });
    expect(rewritten.ok).toBe(true);
    // …but not through the head the earlier export printed.
    const caught = await verifyCommand(db.prisma, ['--against', exportFile]).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(CommandFailed);
    const output = (caught as CommandFailed).output as Awaited<ReturnType<typeof verifyLog>>;
    expect(output.against).toEqual([
      expect.objectContaining({ commune: 'A01', seq: 24, ok: false }),
      expect.objectContaining({ commune: 'B02', seq: 12, ok: true }),
    ]);
    // The untouched commune still passes against the same file.
    expect((await verifyCommand(db.prisma, ['--commune', 'B02', '--against', exportFile])).ok).toBe(true);

    if (kind.name === 'postgres') {
      // The real command, exit codes and all.
      const url = await databaseUrl(db);
      const cli = await run(process.execPath, [LOA, 'log', 'verify', '--against', exportFile], {
        env: { PATH: process.env.PATH, DATABASE_URL: url, LOG_LEVEL: 'silent' },
      }).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(cli.code).toBe(1);
      expect(JSON.parse(cli.stdout).against[0]).toMatchObject({ commune: 'A01', ok: false });
      expect(cli.stderr).toMatch(/A01 no longer passes through record #24/);
    }
  });
});

async function databaseUrl(db: Opened): Promise<string> {
  const [row] = await db.prisma.$queryRaw<{ name: string }[]>`SELECT current_database() AS name`;
  const url = new URL(process.env.TEST_DATABASE_URL as string);
  url.pathname = `/${row?.name}`;
  return url.toString();
}
