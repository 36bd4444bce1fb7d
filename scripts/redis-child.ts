// A private redis-server for one machine: loopback only, its own port and data dir, AOF on,
// noeviction (BullMQ must never lose a key to eviction). Used by `npm start` when no
// REDIS_URL is set, and by the test suite.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RedisChild {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

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

/** A redis-server left behind by a crashed run would hold the AOF; stop it first. */
async function stopStale(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('redis-server')) process.kill(pid, 'SIGTERM');
  } catch {
    // not running any more
  }
  await rm(pidFile, { force: true });
}

export async function startRedisChild(dataDir: string, options: { aof?: boolean } = {}): Promise<RedisChild> {
  await mkdir(dataDir, { recursive: true });
  const pidFile = join(dataDir, 'redis.pid');
  await stopStale(pidFile);
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
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await writeFile(pidFile, String(child.pid));
  const url = `redis://127.0.0.1:${port}`;
  await waitUntilReady(url, child);
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    process: child,
    stop: () => {
      stopping ??= new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        // SIGTERM makes redis flush the AOF and exit cleanly.
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }).then(() => rm(pidFile, { force: true }));
      return stopping;
    },
  };
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
