// A throwaway PostgreSQL cluster of the fault suite's own, on a loopback port, so a test can stop
// and start the server under a running system (the shared TEST_DATABASE_URL server must never be
// stopped under other engineers' tests). Bounded: every pg_ctl waits at most 30 s.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../scripts/redis-child.ts';
import { postgresKind, type TestDatabaseKind } from '../../setup/databases.ts';

const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;

function pgBin(): string | null {
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
    const last = versions.at(-1);
    return last ? `/usr/lib/postgresql/${last}/bin` : null;
  } catch {
    return null;
  }
}

export const postgresAvailable = pgBin() !== null;

export interface PrivatePostgres {
  url: string;
  kind: TestDatabaseKind;
  /** pg_ctl stop -m immediate: connections drop at once, as when the server dies. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function pgCtl(bin: string, args: string[]): Promise<void> {
  const [cmd, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), ...args]]
    : [join(bin, 'pg_ctl'), args];
  await run(cmd, argv, { timeout: 30_000 });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = pgBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = await mkdtemp(join(tmpdir(), 'loa-faults-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  const initdb = [
    join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    'loa',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ];
  if (asRoot) await run('runuser', ['-u', 'postgres', '--', ...initdb], { timeout: 60_000 });
  else await run(initdb[0] as string, initdb.slice(1), { timeout: 60_000 });
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () =>
    pgCtl(bin, ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o', options, 'start']);
  const stop = () => pgCtl(bin, ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
  await start();
  const url = `postgres://loa@127.0.0.1:${port}/postgres`;
  return {
    url,
    kind: postgresKind(url),
    start,
    stop,
    destroy: async () => {
      await stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
