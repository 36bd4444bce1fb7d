/**
 * RTP fan-out benchmark (issue 11): one rendition aired at one instant to 1, 100 and 1,000
 * loopback clusters through the RTP driver (one packetisation, one pacer, one socket). The
 * receivers live in child processes (./receivers.ts) that only timestamp arrivals, so their work does not land
 * on the sender's event loop. Jitter = how late each packet arrives against its own media time,
 * counted from the first packet at that receiver; "late" = more than 20 ms behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProfile } from '../../media/profiles.ts';
import { RtpDriver } from '../../worker/drivers/rtp.ts';
import { makeRendition } from '../integration/drivers/renditions.ts';
import { type LatenessReport, Receivers } from './receivers.ts';

const SECONDS = 10;
const SIZES = [1, 100, 1000];
const LATE_MS = 20;

/** At most 100 sockets per receiver process: one Node process reading 1,000 sockets falls behind. */
const PER_RECEIVER = 100;

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
  const receivers = await Receivers.start('lateness', streams, PER_RECEIVER);

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
          config: driver.parseConfig({ host: '127.0.0.1', port: receivers.ports[i], payloadType: 0 }),
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
  const reports = await receivers.report<LatenessReport>();
  await receivers.close();
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
