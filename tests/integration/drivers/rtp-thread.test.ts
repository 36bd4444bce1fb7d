// The RTP driver paces in a thread of its own: a main event loop that cannot run for a second
// (a long database statement on PGlite, which runs in it) does not hold the packets back, nor,
// once armed, the first packet at the instant. The receiver is a child process that notes how
// late each packet arrives against its media time, and when the first one came (wall clock).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findProfile } from '../../../media/profiles.ts';
import { RtpDriver } from '../../../worker/drivers/rtp.ts';
import { evenPort } from './peers.ts';
import { makeRendition } from './renditions.ts';

const SECONDS = 3;
const BLOCK_MS = 1000;
let dir: string;
let driver: RtpDriver;
let path: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-rtp-thread-'));
  driver = new RtpDriver();
  path = await makeRendition(dir, 'pcmu-8k', SECONDS);
});
afterAll(async () => {
  await driver.close();
  await rm(dir, { recursive: true, force: true });
});

/** PCMU at 8 kHz: RTP timestamp ticks per ms. */
const TICKS_PER_MS = 8;

const RECEIVER = `
const socket = require('node:dgram').createSocket('udp4');
let origin; let maxLateMs = 0; let packets = 0; let firstWallMs = null;
socket.on('message', (m) => {
  const at = performance.now();
  if (m[1] >= 200 && m[1] <= 204) return; // RTCP
  const ts = m.readUInt32BE(4);
  packets++;
  if (!origin) { origin = { at, ts }; firstWallMs = performance.timeOrigin + at; return; }
  maxLateMs = Math.max(maxLateMs, at - (origin.at + ((ts - origin.ts) >>> 0) / ${TICKS_PER_MS}));
});
socket.bind(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));
process.stdin.once('data', () => setTimeout(() => {
  console.log(JSON.stringify({ packets, maxLateMs, firstWallMs }));
  process.exit(0);
}, 200));
`;

async function lateReceiver(port: number) {
  const child: ChildProcess = spawn(process.execPath, ['-e', RECEIVER, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the receiver ended early');
    return line.value;
  };
  expect(await next()).toBe('ready');
  return {
    report: async () => {
      child.stdin?.write('report\n');
      return JSON.parse(await next()) as { packets: number; maxLateMs: number; firstWallMs: number | null };
    },
    kill: () => child.kill(),
  };
}

/** A receiver on a port of its own for the test, killed after it whatever happens. */
async function withReceiver(
  test: (port: number, receiver: Awaited<ReturnType<typeof lateReceiver>>) => Promise<void>,
) {
  const port = evenPort();
  const receiver = await lateReceiver(port);
  try {
    await test(port, receiver);
  } finally {
    receiver.kill();
  }
}

function prepare(port: number, startAt: number, on = driver) {
  const profile = findProfile('pcmu-8k');
  return on.prepare(
    {
      broadcastId: `b-${port}`,
      clusterId: `c-${port}`,
      startAt,
      priority: 'NORMAL',
      profile,
      config: on.parseConfig({ host: '127.0.0.1', port, payloadType: 0 }),
      items: [
        {
          bulletinId: 'b',
          renditionId: profile.id,
          path,
          sha256: 'c'.repeat(64),
          bytes: 0,
          durationSec: SECONDS,
          segments: [],
        },
      ],
    },
    new AbortController().signal,
  );
}

const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

it('keeps pacing while the main event loop is blocked for a second', () =>
  withReceiver(async (port, receiver) => {
    const prepared = await prepare(port, Date.now());
    const airing = prepared.start();
    await airing.firstAudioAt;
    // Some packets out first (the receiver's origin), then this thread does nothing for a second.
    await new Promise((resolve) => setTimeout(resolve, 300));
    block(BLOCK_MS);
    const outcome = await airing.done;
    const seen = await receiver.report();
    const packets = (SECONDS * 1000) / 20;
    expect(outcome.receipt).toMatchObject({ packets });
    expect(seen.packets).toBe(packets);
    // A pacer on the blocked loop sends nothing for a second: its packets arrive ~1,000 ms late.
    // The bound leaves room for a busy machine delaying the receiver process itself.
    expect(seen.maxLateMs).toBeLessThan(BLOCK_MS / 2);
  }));

it('starts an armed airing at its instant while the main event loop is blocked across it', () =>
  withReceiver(async (port, receiver) => {
    const startAt = Date.now() + 600;
    const prepared = await prepare(port, startAt);
    prepared.arm?.(startAt);
    // The main thread is busy from before the instant until a second after it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - 300 - Date.now())));
    block(BLOCK_MS + 300);
    const airing = prepared.start();
    const firstAudioAt = await airing.firstAudioAt;
    const outcome = await airing.done;
    const seen = await receiver.report();
    expect(seen.packets).toBe((SECONDS * 1000) / 20);
    expect(outcome.secondsAired).toBeCloseTo(SECONDS, 1);
    // Never early; late only by the machine's own noise, not by the blocked second.
    expect(seen.firstWallMs).toBeGreaterThanOrEqual(startAt - 1);
    expect(seen.firstWallMs).toBeLessThan(startAt + BLOCK_MS / 4);
    expect(firstAudioAt - startAt).toBeGreaterThanOrEqual(0);
    expect(firstAudioAt - startAt).toBeLessThan(BLOCK_MS / 4);
  }));

it('an armed airing abandoned before its instant sends nothing', () =>
  withReceiver(async (port, receiver) => {
    const startAt = Date.now() + 400;
    const prepared = await prepare(port, startAt);
    prepared.arm?.(startAt);
    await prepared.abandon({ code: 'preempted', message: 'taken before the instant' });
    const outcome = await prepared.start().done;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(outcome).toMatchObject({ secondsAired: 0, error: { code: 'preempted' } });
    expect((await receiver.report()).packets).toBe(0);
  }));

it('deals the clusters of one instant over the threads: each gets the whole stream, a stop only its own', async () => {
  const threaded = new RtpDriver({ threads: 2 });
  const ports = [evenPort(), evenPort(), evenPort(), evenPort()];
  const receivers = await Promise.all(ports.map(lateReceiver));
  try {
    const startAt = Date.now() + 500;
    const prepared = await Promise.all(ports.map((port) => prepare(port, startAt, threaded)));
    for (const p of prepared) p.arm?.(startAt);
    const airings = prepared.map((p) => p.start());
    await Promise.all(airings.map((a) => a.firstAudioAt));
    // Members 0 and 2 went to one thread, 1 and 3 to the other: stop one of the second.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    airings[1]?.stop({ code: 'preempted', message: 'an emergency took the cluster' });
    const outcomes = await Promise.all(airings.map((a) => a.done));
    const seen = await Promise.all(receivers.map((r) => r.report()));
    const packets = (SECONDS * 1000) / 20;
    for (const k of [0, 2, 3]) {
      expect(outcomes[k]?.error).toBeUndefined();
      expect(seen[k]?.packets).toBe(packets);
    }
    expect(outcomes[1]?.error).toMatchObject({ code: 'preempted' });
    expect(seen[1]?.packets).toBeGreaterThan(packets / 6);
    expect(seen[1]?.packets).toBeLessThan(packets / 2);
    for (const s of seen) expect(s.firstWallMs).toBeGreaterThanOrEqual(startAt - 1);
  } finally {
    for (const r of receivers) r.kill();
    await threaded.close();
  }
});
