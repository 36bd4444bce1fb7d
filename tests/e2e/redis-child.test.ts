// The private redis-server dies with its owner even when the owner cannot stop it (SIGKILL),
// by either guard: the kernel's parent-death signal (setpriv) or the pipe watchdog; it is not in
// the owner's process group; it removes its pid file as it goes; and a stale pid file does not
// keep the next one from starting.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RedisGuard, startRedisChild } from '../../scripts/redis-child.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** SIGKILL of the owner to redis gone. */
const GONE_WITHIN_MS = 5_000;
const dirs: string[] = [];
const pids: number[] = [];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function stat(pid: number) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [, ppid, pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(ppid), pgrp: Number(pgrp) };
}

async function goneWithin(pid: number, ms: number): Promise<number> {
  const begin = Date.now();
  while (alive(pid) && Date.now() - begin < ms) await new Promise((r) => setTimeout(r, 20));
  return Date.now() - begin;
}

afterAll(async () => {
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('private redis-server', () => {
  for (const guard of ['pdeathsig', 'watchdog'] as RedisGuard[]) {
    it(`dies when its owner is SIGKILLed (${guard})`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'loa-redis-child-'));
      dirs.push(dir);
      const owner = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `import { startRedisChild } from './scripts/redis-child.ts';
           const child = await startRedisChild(${JSON.stringify(dir)}, { aof: false, guard: ${JSON.stringify(guard)} });
           console.log('redis ' + child.process.pid);
           setInterval(() => {}, 1000);`,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const redisPid = await new Promise<number>((done, reject) => {
        let out = '';
        owner.stdout?.on('data', (d) => {
          out += d;
          const match = /redis (\d+)/.exec(out);
          if (match) done(Number(match[1]));
        });
        owner.once('exit', (code) => reject(new Error(`owner exited ${code}: ${out}`)));
      });
      pids.push(redisPid);
      expect(stat(redisPid).ppid).toBe(owner.pid);
      // Its own process group: a Ctrl-C to the owner's group does not reach it.
      expect(stat(redisPid).pgrp).toBe(redisPid);
      expect(stat(redisPid).pgrp).not.toBe(stat(owner.pid as number).pgrp);

      owner.kill('SIGKILL');
      const ms = await goneWithin(redisPid, GONE_WITHIN_MS);
      expect(alive(redisPid), `redis still running ${ms} ms after its owner's SIGKILL`).toBe(false);
      // It shut down on SIGTERM, so it removed its pid file itself.
      expect(existsSync(join(dir, 'redis.pid'))).toBe(false);
    });
  }

  it('starts over a stale pid file, whatever it names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loa-redis-stale-'));
    dirs.push(dir);
    // A pid reused by some other process (this test runner): left alone, the file replaced.
    writeFileSync(join(dir, 'redis.pid'), String(process.pid));
    const first = await startRedisChild(dir, { aof: false });
    pids.push(first.process.pid as number);
    expect(alive(process.pid)).toBe(true);
    // A redis-server of this data dir that nobody stopped: stopped, then replaced.
    const second = await startRedisChild(dir, { aof: false });
    pids.push(second.process.pid as number);
    expect(await goneWithin(first.process.pid as number, GONE_WITHIN_MS)).toBeLessThan(GONE_WITHIN_MS);
    expect(readFileSync(join(dir, 'redis.pid'), 'utf8').trim()).toBe(String(second.process.pid));
    await second.stop();
  });
});
