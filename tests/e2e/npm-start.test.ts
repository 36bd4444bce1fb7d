// The Done-when of the foundation: `npm start` with no environment answers /readyz within
// 90 s, stops on SIGINT leaving no process behind, and keeps its data across a restart; the
// demo's simulated 4G receiver cluster airs the on-start test tone.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_RECEIVER_CLUSTER } from '../../prisma/seed.ts';
import { mosquittoInstalled } from '../../scripts/mosquitto-child.ts';
import { freePort } from '../../scripts/redis-child.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Like a terminal: `npm start` in its own process group, so Ctrl-C reaches the group. */
function npmStart(env: NodeJS.ProcessEnv): Started {
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const started = { child, output: () => output, exited };
  running.push(started);
  return started;
}

async function waitForReady(url: string, started: Started, withinMs: number): Promise<number> {
  const begin = Date.now();
  while (Date.now() - begin < withinMs) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited early:\n${started.output()}`);
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return Date.now() - begin;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/readyz not 200 within ${withinMs} ms:\n${started.output()}`);
}

/** The demo bulletin, as the officer sees it, once its processing has ended. */
async function waitForDemoBulletin(url: string, password: string, withinMs: number) {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'officer', password }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const begin = Date.now();
  let bulletins: { status: string }[] = [];
  while (Date.now() - begin < withinMs) {
    bulletins = await (await fetch(`${url}/api/bulletins`, { headers: { cookie } })).json();
    expect(bulletins.length).toBeLessThanOrEqual(1);
    if (bulletins[0]?.status === 'READY' || bulletins[0]?.status === 'FAILED') return bulletins[0];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the demo bulletin did not finish within ${withinMs} ms: ${JSON.stringify(bulletins)}`);
}

/** The demo 4G cluster's broadcasts (as the officer sees them), once one has aired. */
async function waitFor4GAiring(url: string, password: string, withinMs: number) {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'officer', password }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const begin = Date.now();
  let mqtt: { id: string; clusterId: string; clusterName: string; status: string }[] = [];
  while (Date.now() - begin < withinMs) {
    const all = await (await fetch(`${url}/api/broadcasts`, { headers: { cookie } })).json();
    mqtt = all.filter((b: { driverKind: string }) => b.driverKind === 'MQTT');
    if (mqtt.some((b) => b.status === 'AIRED')) {
      const board = await (await fetch(`${url}/api/board`, { headers: { cookie } })).json();
      return {
        mqtt,
        board: board.clusters as { id: string; driverKind: string; health: { state: string } }[],
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no 4G airing within ${withinMs} ms: ${JSON.stringify(mqtt)}`);
}

/** Every process whose command line or working directory mentions the data dir. */
function processesUsing(dataDir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(dataDir) || environ.includes(`LOA_DATA_DIR=${dataDir}`))
        found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function redisPortFrom(output: string): number {
  const line = output.split('\n').find((l) => l.includes('private redis-server started'));
  if (!line) throw new Error(`no redis start line in:\n${output}`);
  return JSON.parse(line).port;
}

/** Ctrl-C: Loa must stop every part and exit; npm then re-raises SIGINT on itself. */
async function interrupt(started: Started): Promise<void> {
  process.kill(-(started.child.pid as number), 'SIGINT');
  const { code, signal } = await started.exited;
  expect(code === 0 || signal === 'SIGINT', `exit ${code} ${signal}:\n${started.output()}`).toBe(true);
  expect(started.output()).toContain('SIGINT: stopping Loa');
  expect(started.output()).not.toMatch(/stop failed|unhandled/i);
}

const dirs: string[] = [];
const running: Started[] = [];
afterAll(async () => {
  // A failed assertion leaves its `npm start` running: stop it (and its Redis) like Ctrl-C would.
  for (const started of running.filter((s) => s.child.exitCode === null && s.child.signalCode === null)) {
    process.kill(-(started.child.pid as number), 'SIGINT');
    await Promise.race([started.exited, new Promise((r) => setTimeout(r, 20_000))]);
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('npm start on embedded defaults', () => {
  it('gets ready within 90 s, stops cleanly on SIGINT and keeps its data across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'loa-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    // No Loa variables at all, except where to keep data and which port (tests run in parallel).
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOA_DATA_DIR: dataDir, PORT: String(port) };
    const url = `http://127.0.0.1:${port}`;

    const first = npmStart(env);
    await waitForReady(url, first, 90_000);
    expect(first.output()).toMatch(/Loa is running at http:\/\/127\.0\.0\.1:\d+/);
    expect(first.output()).toMatch(/admin\s+\S{12,}/);
    // As a browser asks for it: only a request for HTML gets the web app.
    const home = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<div id="root">');
    const password = /officer\s+(\S{12,})/.exec(first.output())?.[1] as string;
    const demo = await waitForDemoBulletin(url, password, 60_000);
    expect(demo).toMatchObject({ status: 'READY', languages: ['vie', 'hmn'], approverName: null });
    if (mosquittoInstalled()) {
      // The simulated 4G receiver cluster aired the on-start test tone, through the private
      // broker, and wrote what it played; its health comes from its heartbeats.
      const { mqtt, board } = await waitFor4GAiring(url, password, 60_000);
      expect(mqtt).toHaveLength(1);
      const [tone] = mqtt as [(typeof mqtt)[number]];
      expect(tone).toMatchObject({ clusterName: DEMO_RECEIVER_CLUSTER.name, status: 'AIRED' });
      expect(existsSync(join(dataDir, 'receivers', tone.clusterId, `${tone.id}.mp3`))).toBe(true);
      expect(board.filter((c) => c.driverKind === 'MQTT')).toMatchObject([
        { id: tone.clusterId, health: { state: 'ONLINE' } },
      ]);
    } else {
      expect(first.output()).toContain('no simulated 4G receiver cluster');
    }

    const redis = new Redis(redisPortFrom(first.output()), '127.0.0.1');
    await redis.set('loa-test:persisted', 'còn đó');
    // AOF is fsynced every second; SIGTERM on shutdown flushes it too.
    await redis.quit();

    await interrupt(first);
    expect(processesUsing(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'redis', 'redis.pid'))).toBe(false);

    const second = npmStart(env);
    await waitForReady(url, second, 90_000);
    // The users from the first run are still there: no new passwords are printed.
    expect(second.output()).not.toMatch(/Demo accounts/);
    const again = new Redis(redisPortFrom(second.output()), '127.0.0.1');
    expect(await again.get('loa-test:persisted')).toBe('còn đó');
    await again.quit();
    await interrupt(second);
    expect(processesUsing(dataDir)).toEqual([]);
  }, 240_000);
});
