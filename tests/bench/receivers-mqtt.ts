/**
 * `### Receivers` (issue 12): start skew of simulated 4G receivers over MQTT, against true time.
 * One private mosquitto; N reference receivers (cli/receiver, silent player) in a child process
 * (./receivers-mqtt-child.ts), each its own cluster and login, each clock perturbed by up to
 * ±3 s, all reaching the broker and the media through a weak-link proxy: LATENCY_MS each way, and
 * LOSS of the chunks held one retransmission (RETRANSMIT_MS) longer, with what follows them.
 * Packet loss itself is not simulated (no netem in this kernel): over TCP a lost segment shows as
 * exactly that delay. Loa's side is the workers' own broker connection (ReceiverLink: time
 * answers, commands, acks), on loopback. Skew = the receiver's first audio (this machine's clock)
 * − the instant; late = more than LATE_MS after it, or never.
 *
 * - `loa`: the play command goes out LEAD_MS ahead; the receiver downloads, then starts by its own
 *   timer at the instant, corrected by the clock offset it measured over MQTT.
 * - `naive`: the command is sent at the instant and the receiver plays when it arrives.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type PlayCommand, PROTOCOL_VERSION } from '../../domain/receiver-protocol.ts';
import { createLogger } from '../../platform/logger.ts';
import { LOA_BROKER_USER, loaBrokerPassword, receiverPassword } from '../../platform/receiver-secrets.ts';
import { startMosquittoChild } from '../../scripts/mosquitto-child.ts';
import { ReceiverLink } from '../../worker/receivers/link.ts';
import { LinkProxy } from '../integration/receivers/link-proxy.ts';

const SIZES = process.env.LOA_BENCH_RECEIVER_SIZES?.split(',').map(Number) ?? [100, 1000];
const VARIANTS = (process.env.LOA_BENCH_RECEIVER_VARIANTS?.split(',') ?? ['loa', 'naive']) as (
  | 'loa'
  | 'naive'
)[];
const LATENCY_MS = 300;
const LOSS = 0.01;
/** Linux's minimum retransmission timeout plus the round trip. */
const RETRANSMIT_MS = 200 + 2 * LATENCY_MS;
const CLOCK_ERROR_MS = 3_000;
/**
 * The command goes out this long ahead (Loa's announce job sends it LOA_MQTT_ANNOUNCE_MIN, 30
 * minutes by default, ahead, and again at the dispatch lead, 15 s): enough for 1,000 downloads
 * over the weak link on a loaded machine (see `ready ahead min s`).
 */
const LEAD_MS = 40_000;
/** Simulated receivers per process. */
const PER_PROCESS = Number(process.env.LOA_BENCH_RECEIVERS_PER_PROCESS ?? 250);
const LATE_MS = 50;
const SECRET = 'bench-receivers-secret-0123456789abcdef';

export async function benchReceivers() {
  const rows: Record<string, string | number>[] = [];
  for (const n of SIZES) {
    for (const variant of VARIANTS) rows.push(await run(n, variant));
  }
  return { title: 'Receivers', rows };
}

async function run(n: number, variant: 'loa' | 'naive'): Promise<Record<string, string | number>> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-bench-rx-'));
  const clusters = Array.from({ length: n }, () => randomUUID());
  const broker = await startMosquittoChild(join(dir, 'broker'), {
    logins: [
      { username: LOA_BROKER_USER, password: loaBrokerPassword(SECRET) },
      ...clusters.map((id) => ({ username: id, password: receiverPassword(SECRET, id) })),
    ],
  });
  const media = Buffer.alloc(4_000, 7);
  const http: Server = createServer((_req, res) => res.end(media));
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  const weak = (port: number) => {
    const proxy = new LinkProxy({ host: '127.0.0.1', port });
    proxy.latencyMs = LATENCY_MS;
    proxy.lossRate = LOSS;
    proxy.retransmitMs = RETRANSMIT_MS;
    return proxy.listen();
  };
  const brokerLink = await weak(broker.port);
  const mediaLink = await weak((http.address() as { port: number }).port);
  const link = ReceiverLink.open({
    url: broker.url,
    username: LOA_BROKER_USER,
    password: loaBrokerPassword(SECRET),
    logger: createLogger('silent'),
    now: () => Date.now(),
    onReceipt: async () => {},
    onHeartbeat: async () => {},
  });
  // The receivers in several processes, as real ones are each their own device: one event loop
  // for 1,000 of them made every start wait for the others' work, and a process that is busy
  // longer is the one a loaded machine's scheduler holds back.
  const groups = chunk(clusters, PER_PROCESS);
  const children = groups.map(() => startChild());
  const all = async <T>() => (await Promise.all(children.map((c) => c.next()))) as T[];
  const setupStarted = performance.now();
  try {
    if (!(await link.connectedWithin(10_000))) throw new Error('Loa side not connected to mosquitto');
    for (const [n, group] of groups.entries()) {
      children[n]?.send({
        brokerUrl: `mqtt://127.0.0.1:${brokerLink.port}`,
        naive: variant === 'naive',
        receivers: group.map((clusterId) => ({
          clusterId,
          password: receiverPassword(SECRET, clusterId),
          clockErrorMs: (Math.random() * 2 - 1) * CLOCK_ERROR_MS,
        })),
      });
    }
    const readyReports = await all<{ unsynced: number; offsetErrors: number[] }>();
    const ready = {
      unsynced: readyReports.reduce((s, r) => s + r.unsynced, 0),
      offsetErrors: readyReports.flatMap((r) => r.offsetErrors),
    };
    const setupSec = (performance.now() - setupStarted) / 1000;
    const offsetError = quantile(
      ready.offsetErrors.map(Math.abs).sort((a, b) => a - b),
      0.99,
    );
    const command = (broadcastId: string, at: number): PlayCommand => ({
      v: PROTOCOL_VERSION,
      type: 'play',
      broadcastId,
      startAt: at,
      priority: 'NORMAL',
      now: false,
      notAfter: at + 60_000,
      items: [
        {
          url: `http://127.0.0.1:${mediaLink.port}/api/receivers/media/${broadcastId}/0`,
          sha256: createHash('sha256').update(media).digest('hex'),
          bytes: media.length,
          durationSec: 1,
          gapBeforeSec: 0,
        },
      ],
    });
    const broadcastId = randomUUID();
    const publish = (at: number, id = broadcastId) =>
      Promise.all(clusters.map((c) => link.publishCommand(c, command(id, at), at + 120_000)));
    let instant: number;
    if (variant === 'loa') {
      instant = Date.now() + LEAD_MS;
      // A bulletin before the measured one, as receivers that have been on the air for days
      // have aired many: the first start of a process runs its code cold (not yet compiled).
      await publish(Date.now() + LEAD_MS / 2, randomUUID());
      await publish(instant);
      await sleep(instant - Date.now());
    } else {
      instant = Date.now() + 2_000;
      await sleep(instant - Date.now());
      await publish(instant);
    }
    // Every start is in by then: the naive command crosses the link once, plus retransmissions.
    await sleep(4 * LATENCY_MS + 3 * RETRANSMIT_MS + 2_000);
    for (const c of children) c.send('report');
    const reports = await all<{
      starts: {
        clusterId: string;
        broadcastId: string;
        at: number;
        corrected: number;
        rttMs: number | null;
      }[];
      readies: { broadcastId: string; at: number }[];
    }>();
    const starts = reports.flatMap((r) => r.starts).filter((s) => s.broadcastId === broadcastId);
    if (process.env.LOA_BENCH_DEBUG) {
      for (const r of reports) {
        const t = r.starts
          .filter((s) => s.broadcastId === broadcastId)
          .map((s) => s.corrected - instant)
          .sort((a, b) => a - b);
        console.error('timer late per process min/p50/max', t[0], quantile(t, 0.5), t.at(-1));
      }
    }
    const readies = reports.flatMap((r) => r.readies).filter((r) => r.broadcastId === broadcastId);
    const rtts = starts.map((s) => s.rttMs ?? Number.NaN).sort((a, b) => a - b);
    // How long before the instant the last receivers had the audio (negative: after it).
    const readyAhead = readies.map((r) => instant - r.at).sort((a, b) => a - b);
    const skews = starts.map((s) => s.at - instant).sort((a, b) => a - b);
    // Skew = the timer's own lateness (its corrected clock − the instant) + the offset's error
    // (true time − the corrected clock at the same moment): which of the two it is.
    const timerLate = starts.map((s) => s.corrected - instant).sort((a, b) => a - b);
    const clockError = starts.map((s) => s.at - s.corrected).sort((a, b) => a - b);
    const late = n - skews.filter((s) => s <= LATE_MS).length;
    const signed = quantile(skews, 0.5);
    const abs = skews.map(Math.abs).sort((a, b) => a - b);
    return {
      receivers: n.toLocaleString('en'),
      variant,
      'p50 ms': round(quantile(abs, 0.5)),
      'p99 ms': round(quantile(abs, 0.99)),
      'late %': round((late / n) * 100),
      'median signed ms': round(signed),
      'timer p50/p99 ms': `${round(quantile(timerLate, 0.5))}/${round(quantile(timerLate, 0.99))}`,
      'clock err p50/p99 ms': `${round(quantile(clockError, 0.5))}/${round(quantile(clockError, 0.99))}`,
      'sync err p99 ms': round(offsetError),
      'rtt p50/p99 ms': `${round(quantile(rtts, 0.5))}/${round(quantile(rtts, 0.99))}`,
      processes: children.length,
      'setup s': round(setupSec),
      'ready ahead min s': variant === 'loa' ? round((readyAhead[0] ?? Number.NaN) / 1000) : '',
      started: `${starts.length}/${n}`,
      unsynced: ready.unsynced,
      'load 1 min': loadavg()[0]?.toFixed(1) ?? '',
    };
  } finally {
    await Promise.all(children.map((c) => c.end()));
    await link.close();
    await brokerLink.close();
    await mediaLink.close();
    await new Promise<void>((done) => {
      http.close(() => done());
      http.closeAllConnections();
    });
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function startChild() {
  const script = fileURLToPath(new URL('./receivers-mqtt-child.ts', import.meta.url));
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  return {
    send: (message: unknown) =>
      proc.stdin?.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`),
    next: async () => {
      // Cleared once the line comes: a pending 4-minute timer kept the bench alive after its tables.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ done: true; value: undefined }>((done) => {
        timer = setTimeout(() => done({ done: true, value: undefined }), 240_000);
      });
      const line = await Promise.race([lines.next(), timeout]).finally(() => clearTimeout(timer));
      if (line.done || line.value === undefined) throw new Error('receivers child said nothing');
      return JSON.parse(line.value as string) as unknown;
    },
    end: async () => {
      proc.stdin?.write('end\n');
      const late = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(late);
    },
  };
}

const chunk = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, n) => items.slice(n * size, (n + 1) * size));
const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, Math.max(0, ms)));
const round = (x: number) => Math.round(x * 10) / 10;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
