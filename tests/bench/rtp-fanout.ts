/**
 * RTP fan-out benchmark (issue 11): one rendition aired at one instant to 1, 100 and 1,000
 * loopback clusters through the RTP driver (one packetisation, one pacer, one socket). The
 * receivers live in child processes of their own (./receivers.ts) and the kernel stamps each
 * packet as it arrives, so their work does not land on the sender. Jitter = how late each packet
 * arrives against its own media time, counted from the first packet at that receiver; "late" =
 * more than 20 ms behind.
 *
 * Variants, measured one after the other in the same run (this machine is shared and noisy):
 * - `loa`: the RTP driver (prepare + start per cluster, as the engine calls it);
 * - `loa, main blocked`: the same while this process's main event loop is blocked 30 ms of every
 *   100 (as database work on PGlite, which runs in it, can): the fan-out thread paces regardless;
 * - `floor`: a bare loop in this process, the same packet to every destination on a drift-free
 *   20 ms timer: what the machine allows at that moment.
 *
 * LOA_BENCH_RTP_SIZES=1000 runs fewer sizes; LOA_BENCH_RTP_SECONDS sets the audio length (10).
 */
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProfile } from '../../media/profiles.ts';
import { RtpDriver } from '../../worker/drivers/rtp.ts';
import { makeRendition } from '../integration/drivers/renditions.ts';
import { type LatenessReport, Receivers } from './receivers.ts';

const SECONDS = Number(process.env.LOA_BENCH_RTP_SECONDS ?? 10);
const SIZES = process.env.LOA_BENCH_RTP_SIZES?.split(',').map(Number) ?? [1, 100, 1000];
const LATE_MS = 20;
const PACKET_MS = 20;

/** Sockets per receiver process when they are Node processes (no C compiler): one reading 1,000 falls behind. */
const PER_RECEIVER = 100;

type Row = Record<string, string | number>;

/** How the main loop is blocked in the `loa, main blocked` variant. */
const BUSY = { everyMs: 100, holdMs: 30 };

interface Sent {
  /** CPU of this process over the airing, ms. */
  cpuMs: number;
  wallMs: number;
  packets: number;
  /** The sender's own view: p99 of how late its sends left, ms. */
  senderP99Ms: number;
}

export async function benchRtpFanout() {
  const dir = await mkdtemp(join(tmpdir(), 'loa-bench-rtp-'));
  try {
    const path = await makeRendition(dir, 'pcmu-8k', SECONDS);
    const rows: Row[] = [];
    for (const streams of SIZES) {
      const receivers = await Receivers.start('lateness', streams, PER_RECEIVER);
      try {
        rows.push(await measure(receivers, streams, 'loa', () => viaDriver(path, receivers.ports)));
        rows.push(
          await measure(receivers, streams, 'loa, main blocked', () =>
            viaDriver(path, receivers.ports, BUSY),
          ),
        );
        rows.push(await measure(receivers, streams, 'floor', () => bareLoop(receivers.ports)));
      } finally {
        await receivers.close();
      }
    }
    return { title: 'RTP fan-out', rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(
  receivers: Receivers,
  streams: number,
  variant: string,
  air: () => Promise<Sent>,
): Promise<Row> {
  const sent = await air();
  const lateness = (await receivers.report<LatenessReport>())
    .flatMap((r) => r.lateness)
    .sort((a, b) => a - b);
  return {
    streams,
    variant,
    'cpu % of one core': ((sent.cpuMs / sent.wallMs) * 100).toFixed(1),
    'jitter p99 ms': (lateness[Math.floor(lateness.length * 0.99)] ?? 0).toFixed(2),
    'late packets': lateness.filter((ms) => ms > LATE_MS).length,
    'max ms': (lateness.at(-1) ?? 0).toFixed(1),
    'lost packets': sent.packets - lateness.length,
    'sender pacer p99 ms': sent.senderP99Ms.toFixed(2),
    stamps: receivers.stamps,
    load: loadavg()[0]?.toFixed(1) ?? '',
  };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * Blocks the main event loop `holdMs` of every `everyMs` until the returned function is called.
 * It waits (Atomics.wait) rather than computes: what is shown is a loop that cannot run, apart
 * from the CPU it would take (which the other rows' load shows).
 */
function holdMainLoop(busy: typeof BUSY): () => void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const timer = setInterval(() => Atomics.wait(cell, 0, 0, busy.holdMs), busy.everyMs);
  return () => clearInterval(timer);
}

async function viaDriver(path: string, ports: number[], busy?: typeof BUSY): Promise<Sent> {
  const driver = new RtpDriver();
  const profile = findProfile('pcmu-8k');
  const item = {
    bulletinId: 'b',
    renditionId: 'r',
    path,
    sha256: 'bench',
    bytes: 0,
    durationSec: SECONDS,
    segments: [],
  };
  const startAt = Date.now();
  const signal = new AbortController().signal;
  const prepared = await Promise.all(
    ports.map((port, i) =>
      driver.prepare(
        {
          broadcastId: `b${i}`,
          clusterId: `c${i}`,
          startAt,
          priority: 'NORMAL',
          profile,
          items: [item],
          config: driver.parseConfig({ host: '127.0.0.1', port, payloadType: 0 }),
        },
        signal,
      ),
    ),
  );
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const release = busy ? holdMainLoop(busy) : () => {};
  const airings = prepared.map((p) => p.start());
  const outcomes = await Promise.all(airings.map((a) => a.done));
  release();
  const result = { cpuMs: cpuMs(cpu), wallMs: performance.now() - wall };
  await driver.close();
  const pacer = (outcomes[0]?.receipt as { lateness?: { p99Ms: number } }).lateness;
  return {
    ...result,
    packets: outcomes.reduce((n, o) => n + ((o.receipt as { packets: number }).packets ?? 0), 0),
    senderP99Ms: pacer?.p99Ms ?? 0,
  };
}

async function bareLoop(ports: number[]): Promise<Sent> {
  const socket = createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  const silence = Buffer.alloc(12 + 160, 0xff);
  silence.writeUInt16BE(0x8000, 0);
  silence.writeUInt32BE(0x10a, 8);
  const count = (SECONDS * 1000) / PACKET_MS;
  const lateness = new Float64Array(count);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let n = 0;
    const tick = () => {
      let now = performance.now();
      while (n < count && start + n * PACKET_MS <= now) {
        // A copy per tick: the sends of this turn read their buffer later.
        const packet = Buffer.from(silence);
        packet.writeUInt16BE(n, 2);
        packet.writeUInt32BE(n * 160, 4);
        for (const port of ports) socket.send(packet, port, '127.0.0.1');
        lateness[n] = now - start - n * PACKET_MS;
        n++;
        now = performance.now();
      }
      if (n >= count) resolve();
      else setTimeout(tick, start + n * PACKET_MS - now);
    };
    tick();
  });
  const result = { cpuMs: cpuMs(cpu), wallMs: performance.now() - start };
  socket.close();
  lateness.sort();
  return { ...result, packets: count * ports.length, senderP99Ms: lateness[Math.floor(count * 0.99)] ?? 0 };
}
