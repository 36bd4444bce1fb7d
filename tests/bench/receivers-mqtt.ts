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
const LATENCY_MS = 300;
const LOSS = 0.01;
/** Linux's minimum retransmission timeout plus the round trip. */
const RETRANSMIT_MS = 200 + 2 * LATENCY_MS;
const CLOCK_ERROR_MS = 3_000;
const LEAD_MS = 15_000;
const LATE_MS = 50;
const SECRET = 'bench-receivers-secret-0123456789abcdef';

export async function benchReceivers() {
  const rows: Record<string, string | number>[] = [];
  for (const n of SIZES) {
    for (const variant of ['loa', 'naive'] as const) rows.push(await run(n, variant));
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
  const child = startChild();
  try {
    if (!(await link.connectedWithin(10_000))) throw new Error('Loa side not connected to mosquitto');
    child.send({
      brokerUrl: `mqtt://127.0.0.1:${brokerLink.port}`,
      naive: variant === 'naive',
      receivers: clusters.map((clusterId) => ({
        clusterId,
        password: receiverPassword(SECRET, clusterId),
        clockErrorMs: (Math.random() * 2 - 1) * CLOCK_ERROR_MS,
      })),
    });
    const ready = (await child.next()) as { unsynced: number; offsetErrors: number[]; rtts: number[] };
    const offsetError = quantile(
      ready.offsetErrors.map(Math.abs).sort((a, b) => a - b),
      0.99,
    );
    const broadcastId = randomUUID();
    const command = (at: number): PlayCommand => ({
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
    const publish = (at: number) =>
      Promise.all(clusters.map((c) => link.publishCommand(c, command(at), at + 120_000)));
    let instant: number;
    if (variant === 'loa') {
      instant = Date.now() + LEAD_MS;
      await publish(instant);
      await sleep(instant - Date.now());
    } else {
      instant = Date.now() + 2_000;
      await sleep(instant - Date.now());
      await publish(instant);
    }
    // Every start is in by then: the naive command crosses the link once, plus retransmissions.
    await sleep(4 * LATENCY_MS + 3 * RETRANSMIT_MS + 2_000);
    child.send('report');
    const { starts } = (await child.next()) as { starts: { clusterId: string; at: number }[] };
    const skews = starts.map((s) => s.at - instant).sort((a, b) => a - b);
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
      started: `${starts.length}/${n}`,
      unsynced: ready.unsynced,
      'load 1 min': loadavg()[0]?.toFixed(1) ?? '',
    };
  } finally {
    await child.end();
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
      const timeout = sleep(240_000).then(() => ({ done: true, value: undefined }));
      const line = await Promise.race([lines.next(), timeout]);
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

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, Math.max(0, ms)));
const round = (x: number) => Math.round(x * 10) / 10;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
