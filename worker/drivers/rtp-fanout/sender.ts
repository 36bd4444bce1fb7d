/**
 * The main thread's side of the RTP fan-out thread (./thread.ts): starts it on first use, opens
 * sockets and hands over groups' packets in `prepare`, launches and stops members, and routes
 * what the thread reports to each member's handlers. If the thread dies, every member it was
 * airing ends with the reason and the next use starts a new one.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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

export class FanOutSender {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly requests = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private readonly members = new Map<number, MemberHandlers>();

  id(): number {
    return this.nextId++;
  }

  /** Opens (once per key) the socket members will be sent from. */
  socket(spec: SocketSpec): Promise<void> {
    const request = this.id();
    return new Promise<void>((resolve, reject) => {
      this.requests.set(request, { resolve, reject });
      this.post({ t: 'socket', request, spec });
    });
  }

  /** Hands a group's packets to the thread (the buffer is transferred: unusable here afterwards). */
  group(packets: GroupPackets): void {
    this.post({ t: 'group', ...packets }, [packets.bytes]);
  }

  /** Starts a group's members at once, or at `at` (wall-clock ms) by the thread's own timer. */
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

  /** Ends the thread; airings still in it end with the reason (the worker process is stopping). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    this.receive({ t: 'ended', members: [...this.members.keys()], sent: 0, octets: 0, reason: THREAD_GONE });
  }

  private post(message: ToThread, transfer: ArrayBuffer[] = []): void {
    this.thread().postMessage(message, transfer);
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
