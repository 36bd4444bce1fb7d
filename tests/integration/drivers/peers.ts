// Real peers on loopback: ffmpeg as an RTP receiver reading the SDP Loa writes for a cluster,
// and waits on what the kernel shows (the receiver's socket, its multicast membership), bounded.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { watch } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface Receiver {
  capture: string;
  /** Resolves with ffmpeg's exit code once it has ended (on the sender's RTCP BYE). */
  exited: Promise<number | null>;
  /** Resolves once ffmpeg reports having received `seconds` of audio (its -progress output). */
  received(seconds: number): Promise<void>;
  kill(): void;
}

/** Polls a kernel table until `found` says yes: the receiver has no "ready" event of its own. */
async function until(what: string, found: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await found()) return;
    await delay(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startReceiver(
  dir: string,
  name: string,
  sdp: string,
  port: number,
  group?: string,
): Promise<Receiver> {
  const sdpPath = join(dir, `${name}.sdp`);
  const capture = join(dir, `${name}.mka`);
  await writeFile(sdpPath, sdp);
  const child: ChildProcess = spawn(
    'ffmpeg',
    [
      '-nostdin',
      '-v',
      'error',
      '-progress',
      'pipe:1',
      '-y',
      '-protocol_whitelist',
      'file,udp,rtp',
      '-i',
      sdpPath,
      '-c',
      'copy',
      '-f',
      'matroska',
      capture,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let receivedSec = 0;
  const waiting: { seconds: number; resolve: () => void }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    for (const match of text.matchAll(/out_time_us=(\d+)/g)) receivedSec = Number(match[1]) / 1e6;
    for (const w of waiting.filter((x) => receivedSec >= x.seconds)) w.resolve();
  });
  const received = (seconds: number) =>
    receivedSec >= seconds
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiting.push({ seconds, resolve }));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  await until(`ffmpeg listening on ${port}`, async () =>
    (await readFile('/proc/net/udp', 'utf8')).includes(hexPort),
  );
  if (group) {
    const hexGroup = Buffer.from(group.split('.').map(Number))
      .readUInt32LE(0)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0');
    await until(`ffmpeg joined ${group}`, async () =>
      (await readFile('/proc/net/igmp', 'utf8')).includes(hexGroup),
    );
  }
  return { capture, exited, received, kill: () => child.kill('SIGKILL') };
}

/** Resolves once the file holds at least `bytes` (fs.watch events, bounded). */
export async function fileReaches(path: string, bytes: number, timeoutMs = 20_000): Promise<void> {
  const size = () =>
    stat(path).then(
      (s) => s.size,
      () => 0,
    );
  if ((await size()) >= bytes) return;
  // The directory, not the file: the file may not exist yet.
  const watcher = watch(dirname(path));
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    for await (const _ of on(watcher, timeout)) if ((await size()) >= bytes) return;
  } finally {
    watcher.close();
  }
}

async function* on(watcher: ReturnType<typeof watch>, signal: AbortSignal): AsyncGenerator<void> {
  while (!signal.aborted) {
    await Promise.race([once(watcher, 'change'), once(signal, 'abort')]);
    yield;
  }
  throw new Error('timed out waiting for the file to grow');
}

let nextPort = 20000 + 2 * Math.floor(Math.random() * 10000);
/** An even port (RTP) whose odd neighbour is RTCP. */
export function evenPort(): number {
  nextPort += 2;
  return nextPort;
}
