/**
 * Loopback RTP receivers for the benchmarks, in child processes of their own that only timestamp
 * arrivals, so neither their work nor the sender's lands on the other's event loop. Each child
 * binds its sockets to ports the kernel chooses (no clash with anything else on the machine) and
 * says `ready` with them; `report` answers with what it saw since the previous report, `end`
 * stops it. RTCP (sender reports, BYE) sent to port + 1 may reach another receiver: it is ignored.
 *
 * The children are ./rtp-receiver.c, built once with the system's C compiler: the kernel stamps
 * each packet as it arrives (SO_TIMESTAMPNS), so when the child gets round to reading it does
 * not count, and one child reads thousands of sockets for a few % of a core. Node children that
 * stamp on their `message` event were the measure before: ten of them reading 50,000 packets a
 * second took most of this 2-core machine from the sender they were measuring (jitter p99 8.5 s
 * at 1,000 streams, the sender's own pacer 7.2 s behind). Without a C compiler the Node children
 * are still used (`Receivers.stamps` says which).
 *
 * Two modes:
 * - `lateness`: per packet, how far behind its media time it arrived, counted from the first
 *   packet at that socket (pacing jitter);
 * - `first`: per socket, when its first packet arrived, on the system-wide monotonic clock
 *   (`process.hrtime`, the same in every process), so the parent can compare it with an instant.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type ReceiverMode = 'lateness' | 'first';

export interface LatenessReport {
  /** ms behind its media time, per packet received. */
  lateness: number[];
}

export interface FirstReport {
  /** Per socket, in port order: monotonic ms (see `monotonicMs`) of its first packet, or null. */
  first: (number | null)[];
  /** RTP packets received in all. */
  packets: number;
}

/** The system-wide monotonic clock in ms, as the receivers report it. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

interface Child {
  process: ChildProcess;
  lines: AsyncIterator<string>;
  ports: number[];
}

/** Sockets per C child: it reads 50,000 packets a second from 1,000 sockets for a few % of a core. */
const PER_NATIVE_CHILD = 2500;

/** The RTP clock the lateness is counted in (the benchmarks send PCMU). */
const CLOCK_HZ = 8000;

export class Receivers {
  private constructor(
    private readonly children: Child[],
    /** One port per receiving socket; RTP goes there (RTCP to port + 1 is ignored). */
    readonly ports: number[],
    /** Who stamps arrivals: the kernel (C children) or the Node children's event loops. */
    readonly stamps: 'kernel' | 'node',
  ) {}

  /**
   * `sockets` receivers, at most `perProcess` per Node child process (the C children take more);
   * resolves once every one is bound.
   */
  static async start(mode: ReceiverMode, sockets: number, perProcess: number): Promise<Receivers> {
    const native = nativeReceiver();
    const per = native ? PER_NATIVE_CHILD : perProcess;
    const children = await Promise.all(
      Array.from({ length: Math.ceil(sockets / per) }, (_, c) =>
        startChild(mode, Math.min(per, sockets - c * per), native),
      ),
    );
    return new Receivers(
      children,
      children.flatMap((c) => c.ports),
      native ? 'kernel' : 'node',
    );
  }

  /** What each child saw since the last report (after a short grace for packets still queued). */
  async report<T extends LatenessReport | FirstReport>(): Promise<T[]> {
    for (const c of this.children) c.process.stdin?.write('report\n');
    return Promise.all(this.children.map(async (c) => JSON.parse(await nextLine(c)) as T));
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.process.exitCode !== null) return resolve();
            c.process.once('exit', () => resolve());
            c.process.stdin?.end('end\n');
          }),
      ),
    );
  }
}

async function nextLine(child: Child): Promise<string> {
  const { value, done } = await child.lines.next();
  if (done) throw new Error('a receiver process ended early');
  return value;
}

let built: string | null | undefined;

/** ./rtp-receiver.c built into the temp directory (once per source), or null without a C compiler. */
function nativeReceiver(): string | null {
  if (built !== undefined) return built;
  const source = fileURLToPath(new URL('./rtp-receiver.c', import.meta.url));
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const binary = join(tmpdir(), `loa-rtp-receiver-${hash}`);
  built = binary;
  if (existsSync(binary)) return binary;
  try {
    const partial = `${binary}.${process.pid}`;
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', partial, source], { stdio: 'pipe' });
    renameSync(partial, binary);
  } catch (err) {
    process.stderr.write(
      `bench: no C receiver (${(err as Error).message.split('\n')[0]}); Node receivers stamp arrivals\n`,
    );
    built = null;
  }
  return built;
}

async function startChild(mode: ReceiverMode, sockets: number, native: string | null): Promise<Child> {
  const child = native
    ? // A session of its own (setsid): the kernel's autogroup scheduling then shares the CPU
      // between the sender's session and the receivers' as between two machines' worth of work.
      spawn(native, [mode, String(sockets), String(CLOCK_HZ)], {
        stdio: ['pipe', 'pipe', 'inherit'],
        detached: true,
      })
    : spawn(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), '--receive', mode, String(sockets)],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = { process: child, lines, ports: [] };
  const line = await nextLine(ready);
  if (!line.startsWith('ready ')) throw new Error(`receiver did not start: ${line}`);
  return { ...ready, ports: JSON.parse(line.slice(6)) as number[] };
}

const isRtcp = (msg: Buffer) => (msg[1] ?? 0) >= 200 && (msg[1] ?? 0) <= 204;

/**
 * A socket bound to an even port the kernel chose (RTP wants even ports): sockets that got an odd
 * one are kept in `odd` meanwhile, so the kernel does not offer that port again.
 */
async function evenSocket(odd: Socket[]): Promise<Socket> {
  for (;;) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    if (socket.address().port % 2 === 0) return socket;
    odd.push(socket);
  }
}

/** The child: N sockets, a timestamp per packet and nothing else until asked for a report. */
async function receive(mode: ReceiverMode, sockets: number): Promise<void> {
  let lateness: number[] = [];
  const origin: ({ at: number; ts: number } | undefined)[] = new Array(sockets);
  const first = new Float64Array(sockets);
  let packets = 0;
  const ports: number[] = [];
  const odd: Socket[] = [];
  for (let i = 0; i < sockets; i++) {
    const socket = await evenSocket(odd);
    if (mode === 'first') {
      socket.on('message', (msg) => {
        if (first[i] === 0 && !isRtcp(msg)) first[i] = performance.now();
        packets++;
      });
    } else {
      socket.on('message', (msg) => {
        const at = performance.now();
        if (isRtcp(msg)) return;
        const ts = msg.readUInt32BE(4);
        const o = origin[i];
        if (!o) {
          origin[i] = { at, ts };
          lateness.push(0);
          return;
        }
        lateness.push(at - (o.at + ((ts - o.ts) >>> 0) / (CLOCK_HZ / 1000)));
      });
    }
    ports.push(socket.address().port);
  }
  for (const s of odd) s.close();
  console.log(`ready ${JSON.stringify(ports)}`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'end') break;
    if (line !== 'report') continue;
    // Packets already queued on the sockets are read before the report (more turns of I/O).
    await new Promise((resolve) => setTimeout(resolve, 200));
    // performance.now() and the monotonic clock differ by a constant in this process.
    const offset = monotonicMs() - performance.now();
    const report: LatenessReport | FirstReport =
      mode === 'first'
        ? { first: Array.from(first, (t) => (t === 0 ? null : t + offset)), packets }
        : { lateness: lateness.map((ms) => Math.round(ms * 1000) / 1000) };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    lateness = [];
    origin.fill(undefined);
    first.fill(0);
    packets = 0;
  }
  process.exit(0);
}

if (process.argv[2] === '--receive') await receive(process.argv[3] as ReceiverMode, Number(process.argv[4]));
