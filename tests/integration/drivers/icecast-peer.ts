// A real Icecast server for the driver tests: Debian's `icecast2` on a free loopback port, with
// its own generated XML config and temporary directories (no system config, no root-owned files),
// and a real listener (ffmpeg pulling the mount into a file, as a cluster's receiver pulls it).
//
// Icecast refuses to run as root unless its config says which user to become (<changeowner>).
// CI runs the tests as root: the server then drops to `nobody`, and its directories are made
// writable for that user.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface IcecastPeer {
  port: number;
  /** `http://127.0.0.1:<port>`, the driver config's `url`. */
  url: string;
  sourcePassword: string;
  /** Listeners on `mount` per status-json.xsl (0 when the mount is not up). */
  listeners(mount: string): Promise<number>;
  /** Whether a source is on `mount`. */
  mounted(mount: string): Promise<boolean>;
  /** Stops the server (SIGTERM, SIGKILL after a bound); resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and removes its directories. */
  close(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function xml(options: { port: number; dir: string; password: string; asUser?: [string, string] }): string {
  const { port, dir, password, asUser } = options;
  return `<icecast>
  <location>loa-test</location>
  <admin>loa@localhost</admin>
  <limits>
    <clients>50</clients>
    <sources>10</sources>
    <queue-size>524288</queue-size>
    <client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout>
    <source-timeout>10</source-timeout>
    <burst-on-connect>1</burst-on-connect>
    <burst-size>65535</burst-size>
  </limits>
  <authentication>
    <source-password>${password}</source-password>
    <relay-password>${password}-relay</relay-password>
    <admin-user>admin</admin-user>
    <admin-password>${password}-admin</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths>
    <basedir>/usr/share/icecast2</basedir>
    <logdir>${dir}/log</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
    <pidfile>${dir}/icecast.pid</pidfile>
  </paths>
  <logging>
    <accesslog>access.log</accesslog>
    <errorlog>error.log</errorlog>
    <loglevel>3</loglevel>
  </logging>
  <security>
    <chroot>0</chroot>${asUser ? `\n    <changeowner><user>${asUser[0]}</user><group>${asUser[1]}</group></changeowner>` : ''}
  </security>
</icecast>
`;
}

/** As root, the user and group Icecast drops to, with their ids (for the directories it writes). */
async function unprivileged(): Promise<{ user: string; group: string; uid: number; gid: number }> {
  const { stdout } = await run('getent', ['passwd', 'nobody']);
  const [, , uid, gid] = stdout.trim().split(':');
  const { stdout: groupLine } = await run('getent', ['group', String(gid)]);
  return { user: 'nobody', group: groupLine.split(':')[0] ?? 'nogroup', uid: Number(uid), gid: Number(gid) };
}

export async function startIcecast(): Promise<IcecastPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-icecast-'));
  await mkdir(join(dir, 'log'));
  const port = await freeLoopbackPort();
  const sourcePassword = `src-${Math.random().toString(36).slice(2, 12)}`;
  const root = userInfo().uid === 0;
  let asUser: [string, string] | undefined;
  if (root) {
    const who = await unprivileged();
    asUser = [who.user, who.group];
    await chmod(dir, 0o755);
    await chown(join(dir, 'log'), who.uid, who.gid);
  }
  const config = join(dir, 'icecast.xml');
  await writeFile(config, xml({ port, dir, password: sourcePassword, asUser }), { mode: 0o644 });
  const child: ChildProcess = spawn('icecast2', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = once(child, 'exit').then(() => undefined);
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const url = `http://127.0.0.1:${port}`;

  const status = async (): Promise<IcecastStatus | null> => {
    try {
      const res = await fetch(`${url}/status-json.xsl`, { signal: AbortSignal.timeout(2_000) });
      return res.ok ? ((await res.json()) as IcecastStatus) : null;
    } catch {
      return null;
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!running) return;
    child.kill(signal);
    const killed = await Promise.race([exited.then(() => true), delay(STOP_TIMEOUT_MS).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const close = async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  };

  const sourceOn = async (mount: string) => {
    const sources = (await status())?.icestats?.source;
    const list = Array.isArray(sources) ? sources : sources ? [sources] : [];
    return list.find((s) => typeof s.listenurl === 'string' && s.listenurl.endsWith(mount));
  };

  const until = Date.now() + READY_TIMEOUT_MS;
  while (!(await status())) {
    if (!running || Date.now() > until) {
      const log = await readFile(join(dir, 'log', 'error.log'), 'utf8').catch(() => '');
      await close();
      throw new Error(`icecast2 did not start on ${port}: ${stderr.trim()} ${log.slice(-2000)}`);
    }
    await delay(50);
  }
  return {
    port,
    url,
    sourcePassword,
    listeners: async (mount) => Number((await sourceOn(mount))?.listeners ?? 0),
    mounted: async (mount) => (await sourceOn(mount)) !== undefined,
    stop,
    close,
  };
}

interface IcecastStatus {
  icestats?: { source?: IcecastSource | IcecastSource[] };
}
interface IcecastSource {
  listenurl?: string;
  listeners?: number;
}

export interface Listener {
  capture: string;
  /** ffmpeg's exit code once it has ended (the source went away, or `stop`). */
  exited: Promise<number | null>;
  /** Ends the capture cleanly (`q` on stdin: ffmpeg closes the file) and waits, bounded. */
  stop(): Promise<void>;
}

/** ffmpeg pulling `url` as a receiver does, copying the MP3 it gets into `capture`. */
export function startListener(streamUrl: string, capture: string): Listener {
  const child = spawn(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-y', '-i', streamUrl, '-map', '0:a', '-c', 'copy', '-f', 'mp3', capture],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    capture,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // ffmpeg finishes the file on SIGINT
      const ended = await Promise.race([exited.then(() => true), delay(STOP_TIMEOUT_MS).then(() => false)]);
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls until `condition` holds, bounded. */
export async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}
