// Loa's own processes started as production starts them (`node --import tsx worker/index.ts`,
// `server/index.ts`), each in a process group of its own, so a test can SIGKILL or SIGTERM it
// and then read /proc for anything of that group left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface LoaProcess {
  child: ChildProcess;
  pgid: number;
  output(): string;
  /** Resolves once the output holds `text` (bounded). */
  waitFor(text: string | RegExp, withinMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(sig: NodeJS.Signals): void;
}

const started: LoaProcess[] = [];

export function startLoaProcess(entry: 'worker/index.ts' | 'server/index.ts', env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TZ: 'UTC', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output = `${output}${d}`.slice(-200_000);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const proc: LoaProcess = {
    child,
    pgid: child.pid as number,
    output: () => output,
    exited,
    signal: (sig) => {
      try {
        process.kill(-proc.pgid, sig);
      } catch {
        // already gone
      }
    },
    waitFor: (text, withinMs = 30_000) =>
      new Promise((done, reject) => {
        const check = () => {
          if (typeof text === 'string' ? !output.includes(text) : !text.test(output)) return;
          listeners.delete(check);
          clearTimeout(timer);
          done();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${String(text)} within ${withinMs} ms:\n${output.slice(-3000)}`));
        }, withinMs);
        listeners.add(check);
        exited.then(() => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`exited before ${String(text)}:\n${output.slice(-3000)}`));
        });
        check();
      }),
  };
  started.push(proc);
  return proc;
}

/** SIGKILLs the group of every process a test started and did not stop (afterAll). */
export async function killAllStarted(): Promise<void> {
  for (const p of started.splice(0)) {
    p.signal('SIGKILL');
    await Promise.race([p.exited, new Promise((r) => setTimeout(r, 5_000))]);
  }
}

export interface Proc {
  pid: number;
  ppid: number;
  pgrp: number;
  comm: string;
}

export function processes(): Proc[] {
  const found: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      found.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp), comm });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Processes of the group still alive (zombies excluded: reaped by init soon). */
export function leftInGroup(pgid: number): Proc[] {
  return processes().filter((p) => p.pgrp === pgid && !isZombie(p.pid));
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Polls `condition` every 50 ms, failing after `withinMs`: the thing happens by itself. */
export async function until<T>(
  what: string,
  condition: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  withinMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const got = await condition();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
