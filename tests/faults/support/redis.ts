// A redis-server of one test file's own, on a fixed port and data dir, so it can be SIGKILLed
// and started again where the workers expect it (AOF on, as `npm start` runs it), or started
// again on a wiped data dir (Redis lost entirely). Killed with its test's process if that dies.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../../scripts/redis-child.ts';

export interface KillableRedis {
  url: string;
  dir: string;
  start(): Promise<void>;
  /** SIGKILL: no AOF flush beyond what `appendfsync everysec` already wrote. */
  kill(): Promise<void>;
  /** Everything Redis held is gone. */
  wipe(): Promise<void>;
  destroy(): Promise<void>;
}

export async function killableRedis(): Promise<KillableRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-faults-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes'];
  const start = async () => {
    await mkdir(dir, { recursive: true });
    child = spawn(
      'setpriv',
      [
        '--pdeathsig',
        'KILL',
        '--',
        'redis-server',
        ...args,
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    const until = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        // Ready means the AOF has been replayed.
        if ((await probe.info('persistence')).includes('loading:0')) return;
      } catch {
        // not listening yet
      } finally {
        probe.disconnect();
      }
      if (Date.now() > until) throw new Error('redis-server did not start within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url,
    dir,
    start,
    kill,
    wipe: () => rm(dir, { recursive: true, force: true }),
    destroy: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
