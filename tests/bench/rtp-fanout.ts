/**
 * RTP fan-out benchmark (issue 11): one rendition aired at one instant to 1, 100 and 1,000
 * loopback clusters through the RTP driver (one packetisation, one pacer, one socket). The
 * receivers live in a child process that only timestamps arrivals, so their work does not land
 * on the sender's event loop. Jitter = how late each packet arrives against its own media time,
 * counted from the first packet at that receiver; "late" = more than 20 ms behind.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { findProfile } from '../../media/profiles.ts';
import { RtpDriver } from '../../worker/drivers/rtp.ts';
import { makeRendition } from '../integration/drivers/renditions.ts';

const SECONDS = 10;
const SIZES = [1, 100, 1000];
const LATE_MS = 20;

interface ReceiverReport {
  /** ms behind its media time, per packet received. */
  lateness: number[];
}

const PER_RECEIVER = 100;

function startReceiver(streams: number, basePort: number) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--receive', String(streams), String(basePort)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

export async function benchRtpFanout() {
  const dir = await mkdtemp(join(tmpdir(), 'loa-bench-rtp-'));
  try {
    const path = await makeRendition(dir, 'pcmu-8k', SECONDS);
    const rows: Record<string, string | number>[] = [];
    for (const streams of SIZES) rows.push(await fanOut(path, streams));
    return { title: 'RTP fan-out', rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fanOut(path: string, streams: number): Promise<Record<string, string | number>> {
  const basePort = 30000 + 2 * Math.floor(Math.random() * 2000);
  // At most 100 sockets per receiver process: one Node process reading 1,000 sockets falls behind.
  const receivers = Array.from({ length: Math.ceil(streams / PER_RECEIVER) }, (_, r) =>
    startReceiver(Math.min(PER_RECEIVER, streams - r * PER_RECEIVER), basePort + 2 * r * PER_RECEIVER),
  );
  for (const r of receivers)
    if ((await r.lines.next()).value !== 'ready') throw new Error('receiver did not start');

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
    Array.from({ length: streams }, (_, i) =>
      driver.prepare(
        {
          broadcastId: `b${i}`,
          clusterId: `c${i}`,
          startAt,
          priority: 'NORMAL',
          profile,
          items: [item],
          config: driver.parseConfig({ host: '127.0.0.1', port: basePort + 2 * i, payloadType: 0 }),
        },
        signal,
      ),
    ),
  );
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const airings = prepared.map((p) => p.start());
  const outcomes = await Promise.all(airings.map((a) => a.done));
  const used = process.cpuUsage(cpu);
  const cpuPercent = ((used.user + used.system) / 1000 / (performance.now() - wall)) * 100;
  const reports: ReceiverReport[] = [];
  for (const r of receivers) {
    r.child.stdin.end('end\n');
    reports.push(JSON.parse((await r.lines.next()).value as string) as ReceiverReport);
  }
  const lateness = reports.flatMap((r) => r.lateness).sort((a, b) => a - b);
  const pacer = (outcomes[0]?.receipt as { lateness?: { p99Ms: number } }).lateness;
  await driver.close();
  const sent = outcomes.reduce((n, o) => n + ((o.receipt as { packets: number }).packets ?? 0), 0);
  return {
    streams,
    'cpu % of one core': cpuPercent.toFixed(1),
    'jitter p99 ms': (lateness[Math.floor(lateness.length * 0.99)] ?? 0).toFixed(2),
    'late packets': lateness.filter((ms) => ms > LATE_MS).length,
    'max ms': (lateness.at(-1) ?? 0).toFixed(1),
    'lost packets': sent - lateness.length,
    'sender pacer p99 ms': (pacer?.p99Ms ?? 0).toFixed(2),
  };
}

/** The receiver process: N sockets, a timestamp per packet, a report on stdin's "end". */
async function receive(streams: number, basePort: number): Promise<void> {
  const lateness: number[] = [];
  const first: ({ at: number; ts: number } | undefined)[] = new Array(streams);
  for (let i = 0; i < streams; i++) {
    const socket = createSocket('udp4');
    socket.on('message', (msg) => {
      const at = performance.now();
      const ts = msg.readUInt32BE(4);
      const origin = first[i];
      if (!origin) {
        first[i] = { at, ts };
        lateness.push(0);
        return;
      }
      lateness.push(at - (origin.at + ((ts - origin.ts) >>> 0) / 8));
    });
    await new Promise<void>((resolve) => socket.bind(basePort + 2 * i, '127.0.0.1', resolve));
  }
  console.log('ready');
  for await (const line of createInterface({ input: process.stdin })) if (line === 'end') break;
  // Packets already queued on the sockets are read before the report (one more turn of I/O).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const report: ReceiverReport = { lateness: lateness.map((ms) => Math.round(ms * 1000) / 1000) };
  // A pipe is written asynchronously: exit only once the report has gone.
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
}

if (process.argv[2] === '--receive') await receive(Number(process.argv[3]), Number(process.argv[4]));
