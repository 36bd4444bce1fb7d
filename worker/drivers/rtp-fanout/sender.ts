/**
 * The main thread's side of the RTP fan-out threads (./thread.ts): starts them on first use, opens
 * sockets and hands over groups' packets in `prepare`, launches and stops members, and routes
 * what a thread reports to each member's handlers. If a thread dies, every member it was airing
 * ends with the reason and the next use starts a new one.
 *
 * A launch's members are dealt round-robin over the threads, one per core: on loopback a send
 * costs ~5–10 µs in the kernel here, so one thread takes ~100 ms to send the first packets of
 * 10,000 clusters and two take ~60–80.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromThread, GroupPackets, LaunchMember, Reason, SocketSpec, ToThread } from './messages.ts';

export interface MemberHandlers {
  first(wallMs: number): void;
  ended(report: Extract<FromThread, { t: 'ended' }>): void;
}

const THREAD_GONE: Reason = {
  code: 'sender-failed',
  message: 'luồng gửi RTP đã dừng / the RTP sending thread stopped',
};

/**
 * The thread's entry is TypeScript: it registers tsx's loader first (a worker does not inherit
 * the main thread's module hooks).
 */
function bootCode(): string {
  const entry = new URL('./thread.ts', import.meta.url).href;
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const esm = cjs.replace(/\.cjs$/, '.mjs');
  const api = pathToFileURL(existsSync(esm) ? esm : cjs).href;
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

/** One thread per core, at most 4 (the default). */
const defaultFanOutThreads = () => Math.min(4, availableParallelism());

export class FanOutSender {
  private nextId = 1;
  private readonly threads: FanOutThread[];

  constructor(threads = defaultFanOutThreads()) {
    this.threads = Array.from({ length: Math.max(1, threads) }, () => new FanOutThread(() => this.id()));
  }

  id(): number {
    return this.nextId++;
  }

  /** Opens (once per key, in every thread) the socket members will be sent from. */
  async socket(spec: SocketSpec): Promise<void> {
    await Promise.all(this.threads.map((t) => t.socket(spec)));
  }

  /** Hands a group's packets to every thread (the bytes are shared, not copied). */
  group(packets: GroupPackets): void {
    for (const t of this.threads) t.group(packets);
  }

  /** Starts a group's members at once, or at `at` (wall-clock ms) by the threads' own timers. */
  launch(group: number, members: (LaunchMember & MemberHandlers)[], at?: number): void {
    this.threads.forEach((thread, k) => {
      const dealt = members.filter((_, i) => i % this.threads.length === k);
      if (dealt.length === 0) {
        thread.drop(group);
        return;
      }
      thread.launch(group, dealt, at);
    });
  }

  /** Only the thread airing the member acts on it. */
  leave(member: number, reason: Reason): void {
    for (const t of this.threads) t.leave(member, reason);
  }

  drop(group: number): void {
    for (const t of this.threads) t.drop(group);
  }

  /** Ends the threads; airings still in them end with the reason (the worker process is stopping). */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}

/** One fan-out thread and the members it airs. */
class FanOutThread {
  private worker: Worker | undefined;
  private readonly requests = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private readonly members = new Map<number, MemberHandlers>();

  constructor(private readonly id: () => number) {}

  socket(spec: SocketSpec): Promise<void> {
    const request = this.id();
    return new Promise<void>((resolve, reject) => {
      this.requests.set(request, { resolve, reject });
      this.post({ t: 'socket', request, spec });
    });
  }

  group(packets: GroupPackets): void {
    this.post({ t: 'group', ...packets });
  }

  launch(group: number, members: (LaunchMember & MemberHandlers)[], at?: number): void {
    for (const m of members) this.members.set(m.id, m);
    this.post({
      t: 'launch',
      group,
      members: members.map(({ id, socket, address, port }) => ({ id, socket, address, port })),
      ...(at === undefined ? {} : { at }),
    });
  }

  leave(member: number, reason: Reason): void {
    if (this.members.has(member)) this.post({ t: 'leave', member, reason });
  }

  drop(group: number): void {
    this.post({ t: 'drop', group });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    this.receive({ t: 'ended', members: [...this.members.keys()], sent: 0, octets: 0, reason: THREAD_GONE });
  }

  private post(message: ToThread): void {
    this.thread().postMessage(message);
    this.holdWhileBusy();
  }

  /** While something is asked of the thread, it keeps the process alive; idle, it does not (tests, CLI). */
  private holdWhileBusy(): void {
    if (this.members.size > 0 || this.requests.size > 0) this.worker?.ref();
    else this.worker?.unref();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(bootCode(), { eval: true });
    worker.on('message', (message: FromThread) => this.receive(message));
    const gone = (err?: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const { reject } of this.requests.values()) reject(err ?? new Error(THREAD_GONE.message));
      this.requests.clear();
      const ids = [...this.members.keys()];
      const reason = err
        ? { ...THREAD_GONE, message: `${THREAD_GONE.message}: ${err.message}` }
        : THREAD_GONE;
      this.receive({ t: 'ended', members: ids, sent: 0, octets: 0, reason });
    };
    worker.on('error', gone);
    worker.on('exit', () => gone());
    this.worker = worker;
    return worker;
  }

  private receive(message: FromThread): void {
    this.route(message);
    this.holdWhileBusy();
  }

  private route(message: FromThread): void {
    switch (message.t) {
      case 'socket': {
        const request = this.requests.get(message.request);
        this.requests.delete(message.request);
        if (message.error) request?.reject(new Error(message.error));
        else request?.resolve();
        return;
      }
      case 'first':
        message.members.forEach((id, i) => {
          this.members.get(id)?.first(message.wallMs[i] ?? 0);
        });
        return;
      case 'ended':
        for (const id of message.members) {
          const member = this.members.get(id);
          this.members.delete(id);
          member?.ended(message);
        }
        return;
    }
  }
}
