// A private redis-server for one machine: loopback only, its own port and data dir, AOF on,
// noeviction (BullMQ must never lose a key to eviction). Used by `npm start` when no
// REDIS_URL is set, and by the test suite.
//
// Its lifetime is its owner's, not the terminal's: it runs in its own process group
// (`detached`), so a Ctrl-C sent to the terminal's group does not stop it while the API and
// workers still use it; the owner stops it last. If the owner dies without stopping it (even
// SIGKILL), redis still gets SIGTERM: from the kernel (parent-death signal, set by util-linux
// `setpriv` before exec), or where that is missing from a small watchdog that waits for the
// owner's end of a pipe to close.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RedisChild {
  url: string;
  port: number;
  process: ChildProcess;
  /** SIGTERM (redis flushes the AOF and exits), SIGKILL after 10 s; resolves once it is gone. */
  stop(): Promise<void>;
  /** SIGTERM now, SIGKILL after `withinMs`: for a stop that must end at once. */
  kill(withinMs?: number): Promise<void>;
}

/** How the redis-server is made to die with its owner. */
export type RedisGuard = 'pdeathsig' | 'watchdog';

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

let pdeathsigAvailable: boolean | undefined;
function canUsePdeathsig(): boolean {
  if (pdeathsigAvailable === undefined) {
    const probe = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
    pdeathsigAvailable =
      process.platform === 'linux' && probe.status === 0 && probe.stdout.includes('--pdeathsig');
  }
  return pdeathsigAvailable;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * A redis-server left behind by a run that could not stop it would hold the AOF; stop it first.
 * Only a redis-server working in this data dir is stopped (the pid may have been reused by
 * anything since). The pid file goes in every case: a stale one never blocks a start.
 */
async function stopStale(pidFile: string, dataDir: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0 && isRedisIn(pid, dataDir)) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitForExit(pid, 10_000))) {
        process.kill(pid, 'SIGKILL');
        await waitForExit(pid, 2_000);
      }
    }
  } catch {
    // not running any more, or not ours to stop
  }
  await rm(pidFile, { force: true });
}

/** redis-server renames its command line, but works in its --dir. */
function isRedisIn(pid: number, dataDir: string): boolean {
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return comm.startsWith('redis-server') && readlinkSync(`/proc/${pid}/cwd`) === realpathSync(dataDir);
  } catch {
    return false;
  }
}

export async function startRedisChild(
  dataDir: string,
  options: { aof?: boolean; guard?: RedisGuard } = {},
): Promise<RedisChild> {
  await mkdir(dataDir, { recursive: true });
  const pidFile = join(dataDir, 'redis.pid');
  await stopStale(pidFile, dataDir);
  const port = await freePort();
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dataDir,
    '--appendonly',
    options.aof === false ? 'no' : 'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--protected-mode',
    'yes',
    // Written by redis itself, and removed by it whenever it shuts down on a signal, including
    // the parent-death SIGTERM: left behind only by a redis that was SIGKILLed.
    '--pidfile',
    pidFile,
  ];
  const guard = options.guard ?? (canUsePdeathsig() ? 'pdeathsig' : 'watchdog');
  // `setpriv` sets the parent-death signal and execs redis-server: same pid, same parent.
  const [command, argv] =
    guard === 'pdeathsig'
      ? ['setpriv', ['--pdeathsig', 'TERM', '--', 'redis-server', ...args]]
      : ['redis-server', args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const watchdog = guard === 'watchdog' && child.pid !== undefined ? startWatchdog(child.pid) : undefined;
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  let stopping: Promise<void> | undefined;
  const terminate = (killAfterMs: number) => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM makes redis flush the AOF and exit cleanly.
        child.kill('SIGTERM');
        const late = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        await exited;
        clearTimeout(late);
      }
      // Redis is gone: the watchdog has nothing left to do.
      watchdog?.end('stopped\n');
      await rm(pidFile, { force: true });
    })();
    return stopping;
  };
  try {
    await waitUntilReady(url, child);
  } catch (err) {
    await terminate(2_000);
    throw err;
  }
  return {
    url,
    port,
    process: child,
    stop: () => terminate(10_000),
    kill: (withinMs = 500) => {
      if (stopping) child.kill('SIGKILL');
      return terminate(withinMs);
    },
  };
}

/**
 * Stops redis when the pipe from this process closes without a word: this process has died.
 * Its own process group, like redis, so a terminal's Ctrl-C does not end it first.
 */
function startWatchdog(redisPid: number) {
  const watchdog = spawn(
    'sh',
    ['-c', 'read -r _ || kill -TERM "$1" 2>/dev/null', 'loa-redis-watchdog', String(redisPid)],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    },
  );
  watchdog.unref();
  watchdog.stdin?.on('error', () => {});
  return watchdog.stdin;
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  child.stdout?.on('data', (d) => {
    stderr = `${stderr}${d}`.slice(-4000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with ${code}: ${stderr.slice(-2000)}`)),
    ),
  );
  const ready = (async () => {
    // Bounded: 200 × 50 ms = 10 s at most, including AOF replay of a small data set.
    for (let attempt = 0; attempt < 200; attempt++) {
      const client = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        // not listening yet, or still loading the AOF
      } finally {
        client.disconnect();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not answer within 10 s: ${stderr.slice(-2000)}`);
  })();
  await Promise.race([ready, exited]);
}
