// A private mosquitto broker for the 4G receivers, started like the private Redis: its own
// process group (a terminal's Ctrl-C does not take it from the workers while they close), its
// own port and data dir, SIGTERM with the owner's death (setpriv --pdeathsig), a bounded stop.
// The password file and ACL are Loa's (platform/broker-files.ts); `reload` re-reads them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { mosquittoConf, writeBrokerAuth } from '../platform/broker-files.ts';
import { freePort } from './redis-child.ts';

export interface MosquittoChild {
  url: string;
  port: number;
  process: ChildProcess;
  /** Re-reads the password file and ACL (SIGHUP) after `writeBrokerAuth`. */
  reload(): void;
  /** SIGTERM, SIGKILL after `withinMs`; resolves once it is gone. */
  stop(withinMs?: number): Promise<void>;
}

const MOSQUITTO = ['/usr/sbin/mosquitto', 'mosquitto'].find(
  (c) => spawnSync(c, ['-h'], { stdio: 'ignore' }).error === undefined,
);

/** Whether Debian's mosquitto (or one on the PATH) can be started here. */
export const mosquittoInstalled = (): boolean => MOSQUITTO !== undefined;

export async function startMosquittoChild(
  dir: string,
  options: { host?: string; port?: number; logins: { username: string; password: string }[] },
): Promise<MosquittoChild> {
  if (!MOSQUITTO) throw new Error('mosquitto is not installed (Debian: apt-get install mosquitto)');
  await mkdir(dir, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  await writeBrokerAuth(dir, options.logins);
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, mosquittoConf(dir, { host, port }));
  const pdeathsig = spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig');
  const [command, argv] = pdeathsig
    ? ['setpriv', ['--pdeathsig', 'TERM', '--', MOSQUITTO, '-c', conf]]
    : [MOSQUITTO, ['-c', conf]];
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = `${stderr}${d}`.slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stopping: Promise<void> | undefined;
  const stop = (withinMs = 5_000) => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const late = setTimeout(() => child.kill('SIGKILL'), withinMs);
        await exited;
        clearTimeout(late);
      }
    })();
    return stopping;
  };
  const connectHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  try {
    await waitForPort(connectHost, port, child, () => stderr);
  } catch (err) {
    await stop(1_000);
    throw err;
  }
  return {
    url: `mqtt://${connectHost.includes(':') ? `[${connectHost}]` : connectHost}:${port}`,
    port,
    process: child,
    reload: () => child.kill('SIGHUP'),
    stop,
  };
}

/** Bounded: 100 × 50 ms. */
async function waitForPort(host: string, port: number, child: ChildProcess, stderr: () => string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen within 5 s: ${stderr()}`);
}
