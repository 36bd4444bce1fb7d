// The reference 4G receiver: holds the play commands of its cluster, downloads each ahead,
// checks its hash, plays at the instant by its own clock corrected by its measured offset, and
// reports receipts it keeps until Loa acknowledges them. What it holds survives a restart.
// Also the simulator of the tests and the benchmark (SilentPlayer, MemoryState, hashOnly).
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import {
  Ack,
  Command,
  type PlayCommand,
  PROTOCOL_VERSION,
  type Receipt,
  type ReceiptKind,
  receiptId,
  type StatusMessage,
  TimeAnswer,
  topics,
} from '../../domain/receiver-protocol.ts';
import { afterStarts, fireAt, ReceiverClock } from './clock.ts';
import { downloadItem, HashMismatchError, hashOnly } from './download.ts';
import type { Playback, Player } from './players.ts';
import type { Entry, ReceiverState, StateStore } from './state.ts';

export interface ReceiverOptions {
  clusterId: string;
  brokerUrl: string;
  password: string;
  player: Player;
  state: StateStore;
  /** Where downloads go; null: hashed and dropped (the simulator). */
  mediaDir: string | null;
  /** The device clock (default: this machine's). */
  clock?: ReceiverClock;
  heartbeatMs?: number;
  resendMs?: number;
  timeSyncMs?: number;
  reconnectMs?: number;
  /** Baseline for the benchmark: play as soon as a command arrives, no download ahead, no offset. */
  naive?: boolean;
  /** Called with the true (Loa) time and this receiver's own corrected time at each start. */
  onStart?: (broadcastId: string, corrected: number) => void;
  /** Called when a broadcast's audio is here and checked, and its start armed (the benchmark). */
  onReady?: (broadcastId: string) => void;
  log?: (message: string, extra?: Record<string, unknown>) => void;
}

const PRIORITY_RANK = { NORMAL: 0, PRIORITY: 1, EMERGENCY: 2 } as const;

/** Time exchanges taken between 12 s and 3 s before each start. */
const PRESTART_SYNCS = 3;
const PRESTART_SYNC_MS = [12_000, 3_000] as const;

/** An offset estimate that moves more than this re-arms the waiting starts. */
const REARM_MS = 1;

export class Receiver {
  private client: MqttClient | undefined;
  private state: ReceiverState;
  readonly clock: ReceiverClock;
  private readonly timers = new Map<string, () => void>();
  private readonly downloads = new Map<string, AbortController>();
  private playing: { id: string; playback: Playback; entry: Entry } | null = null;
  private intervals: NodeJS.Timeout[] = [];
  /** Time requests to come (the periodic one, those before a start): cleared by stop(). */
  private readonly syncs = new Set<NodeJS.Timeout>();
  private timeSeq = 0;

  constructor(private readonly options: ReceiverOptions) {
    this.state = options.state.load();
    this.clock = options.clock ?? new ReceiverClock(undefined, this.state.offsetMs);
  }

  start(): void {
    // An airing cut by a restart: what played is reported, from the start it recorded.
    for (const [id, entry] of Object.entries(this.state.entries)) {
      if (entry.phase === 'playing') {
        entry.phase = 'failed';
        const played = entry.startedAt ? (this.clock.trueNow() - entry.startedAt) / 1000 : 0;
        this.receipt(id, 'failed', {
          ...(entry.startedAt ? { startedAt: entry.startedAt } : {}),
          secondsPlayed: Math.max(0, Math.min(played, totalSec(entry.command))),
          error: { code: 'receiver-restarted', message: 'receiver restarted while playing' },
        });
      } else if (entry.phase === 'downloading') void this.fetchAhead(entry);
      else if (entry.phase === 'ready') {
        this.arm(entry);
        if (!entry.command.now) this.syncBefore(this.clock.localAt(entry.command.startAt));
      }
    }
    const o = this.options;
    this.client = mqtt.connect(o.brokerUrl, {
      protocolVersion: 5,
      username: o.clusterId,
      password: o.password,
      clientId: `rx-${o.clusterId}`,
      clean: true,
      reconnectPeriod: o.reconnectMs ?? 2_000,
      connectTimeout: 10_000,
      keepalive: 30,
      queueQoSZero: false,
    });
    this.client.on('connect', () => this.onConnect());
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.client.on('error', (err) => o.log?.('mqtt error', { err: err.message }));
    this.intervals.push(
      setInterval(() => this.flushReceipts(), o.resendMs ?? 10_000),
      setInterval(() => this.heartbeat(), o.heartbeatMs ?? 15_000),
    );
    this.syncPeriodically();
  }

  async stop(): Promise<void> {
    for (const i of this.intervals) clearInterval(i);
    for (const t of this.syncs) clearTimeout(t);
    for (const cancel of this.timers.values()) cancel();
    for (const d of this.downloads.values()) d.abort();
    await this.client?.endAsync(true).catch(() => {});
  }

  /** Receipts not yet acknowledged (kept on disk). */
  get pending(): Receipt[] {
    return this.state.pending;
  }

  entry(broadcastId: string): Entry | undefined {
    return this.state.entries[broadcastId];
  }

  private save(): void {
    this.state.offsetMs = this.clock.offsetMs;
    this.options.state.save(this.state);
  }

  private onConnect(): void {
    const c = this.options.clusterId;
    this.client
      ?.subscribeAsync({
        [topics.commands(c)]: { qos: 1 },
        [topics.ack(c)]: { qos: 1 },
        [topics.time(c)]: { qos: 0 },
      })
      .then(() => {
        this.flushReceipts();
        // A burst of exchanges: the smallest round trip of a few is a good first offset.
        for (let i = 0; i < 4; i++) this.askTimeIn(i * 250);
        this.heartbeat();
      })
      .catch((err: Error) => this.options.log?.('subscribe failed', { err: err.message }));
  }

  private onMessage(topic: string, payload: Buffer): void {
    const kind = topic.split('/')[2];
    try {
      if (kind === 'cmd') {
        if (payload.length === 0) return; // cleared: the broadcast is over
        const command = Command.parse(JSON.parse(payload.toString()));
        if (command.type === 'play') this.onPlay(command);
        else this.onWithdraw(command.broadcastId, command.reason);
      } else if (kind === 'ack') {
        const ids = new Set(Ack.parse(JSON.parse(payload.toString())).ids);
        this.state.pending = this.state.pending.filter((r) => !ids.has(r.id));
        this.save();
      } else if (kind === 'time') {
        const t3 = this.clock.local();
        const a = TimeAnswer.parse(JSON.parse(payload.toString()));
        const before = this.clock.offsetMs;
        this.clock.addSample({ t0: a.t0, t1: a.t1, t2: a.t2, t3 });
        // A command that arrived before the clock was known (or a better sample moved it) was
        // armed on the old offset: arm what waits again on the new one.
        const after = this.clock.offsetMs;
        if (after !== null && (before === null || Math.abs(after - before) > REARM_MS)) this.rearm();
      }
    } catch (err) {
      this.options.log?.('message refused', { topic, err: (err as Error).message });
    }
  }

  private onPlay(command: PlayCommand): void {
    const known = this.state.entries[command.broadcastId];
    if (known && known.phase !== 'withdrawn') return; // the same retained command again
    const entry: Entry = { command, phase: 'downloading' };
    this.state.entries[command.broadcastId] = entry;
    this.save();
    if (this.options.naive) {
      // The baseline: no download ahead, no clock: it starts when the command arrives.
      entry.phase = 'ready';
      entry.files = command.items.map(() => '');
      this.begin(entry);
      return;
    }
    void this.fetchAhead(entry);
  }

  private onWithdraw(broadcastId: string, reason: { code: string; message: string }): void {
    const entry = this.state.entries[broadcastId];
    if (!entry || entry.phase === 'done' || entry.phase === 'failed' || entry.phase === 'withdrawn') return;
    this.timers.get(broadcastId)?.();
    this.downloads.get(broadcastId)?.abort();
    if (this.playing?.id === broadcastId) {
      this.playing.playback.stop(); // its end sends the receipt, with what played
      this.playing.entry.phase = 'withdrawn';
      return;
    }
    entry.phase = 'withdrawn';
    this.receipt(broadcastId, 'failed', {
      secondsPlayed: 0,
      error: { code: 'withdrawn', message: reason.message },
    });
  }

  /** Downloads every item, retrying with backoff until the latest start; a wrong hash is final. */
  private async fetchAhead(entry: Entry): Promise<void> {
    const { command } = entry;
    const abort = new AbortController();
    this.downloads.set(command.broadcastId, abort);
    let delay = 1_000;
    let hashFailures = 0;
    for (;;) {
      if (abort.signal.aborted) return;
      try {
        const files: string[] = [];
        for (const [n, item] of command.items.entries()) {
          if (this.options.mediaDir) {
            const path = join(this.options.mediaDir, `${item.sha256}.mp3`);
            await downloadItem(item, path, abort.signal);
            files.push(path);
          } else {
            await hashOnly(item, abort.signal);
            files.push(`${n}`);
          }
        }
        this.downloads.delete(command.broadcastId);
        entry.files = files;
        entry.phase = 'ready';
        this.receipt(command.broadcastId, 'scheduled', {});
        this.arm(entry);
        if (!command.now) this.syncBefore(this.clock.localAt(command.startAt));
        this.options.onReady?.(command.broadcastId);
        return;
      } catch (err) {
        if (abort.signal.aborted) return;
        const e = err as Error;
        this.options.log?.('download failed', { broadcastId: command.broadcastId, err: e.message });
        // A wrong hash once may be a corrupted transfer; twice, the file is not what Loa meant.
        if (e instanceof HashMismatchError && ++hashFailures >= 2) {
          return this.fail(entry, { code: 'hash-mismatch', message: e.message });
        }
        if (this.clock.trueNow() > command.notAfter) {
          return this.fail(entry, { code: 'download-failed', message: e.message });
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 15_000);
      }
    }
  }

  private fail(entry: Entry, error: { code: string; message: string }): void {
    this.downloads.delete(entry.command.broadcastId);
    entry.phase = 'failed';
    this.receipt(entry.command.broadcastId, 'failed', { secondsPlayed: 0, error });
  }

  private rearm(): void {
    for (const [id, cancel] of this.timers) {
      const entry = this.state.entries[id];
      if (entry?.phase !== 'ready' || entry.command.now) continue;
      cancel();
      this.arm(entry);
    }
  }

  /** Starts at the instant by the corrected clock, or at once for a command that says now. */
  private arm(entry: Entry): void {
    const { command } = entry;
    const startLocal = command.now ? this.clock.local() : this.clock.localAt(command.startAt);
    const cancel = fireAt(startLocal, this.clock.local, () => {
      this.timers.delete(command.broadcastId);
      this.begin(entry);
    });
    this.timers.set(command.broadcastId, cancel);
  }

  private begin(entry: Entry): void {
    const { command } = entry;
    const now = this.clock.trueNow();
    if (!this.options.naive && now > command.notAfter) {
      this.fail(entry, { code: 'late', message: 'too late to start / quá giờ phát' });
      return;
    }
    if (this.playing) {
      const current = this.playing;
      if (PRIORITY_RANK[command.priority] <= PRIORITY_RANK[current.entry.command.priority]) {
        // Not more urgent: it waits for the one playing (and may then be too late).
        void current.playback.done.then(() => setImmediate(() => this.begin(entry)));
        return;
      }
      current.entry.phase = 'failed';
      (current as { preempted?: boolean }).preempted = true;
      current.playback.stop();
    }
    const playback = this.options.player.play(
      command.broadcastId,
      command.items.map((item, n) => ({
        path: entry.files?.[n] ?? '',
        durationSec: item.durationSec,
        gapBeforeSec: item.gapBeforeSec,
      })),
    );
    const startedAt = this.clock.trueNow();
    this.options.onStart?.(command.broadcastId, startedAt);
    entry.phase = 'playing';
    entry.startedAt = startedAt;
    const playing = { id: command.broadcastId, playback, entry };
    this.playing = playing;
    // Once the starts due now have fired: a process simulating many receivers starts them all
    // first (the receipt's disk write and publish took ~0.5 ms each, so the 1,000th started
    // ~0.5 s late).
    afterStarts(() => this.receipt(command.broadcastId, 'started', { startedAt }));
    void playback.done.then((secondsPlayed) => {
      if (this.playing === playing) this.playing = null;
      const total = totalSec(command);
      const preempted = (playing as { preempted?: boolean }).preempted;
      const withdrawn = entry.phase === 'withdrawn';
      const complete = secondsPlayed >= total - 0.05;
      if (!withdrawn && !preempted) entry.phase = complete ? 'done' : 'failed';
      const error = preempted
        ? { code: 'preempted', message: 'preempted by an emergency / bị ngắt bởi bản tin khẩn' }
        : withdrawn
          ? { code: 'withdrawn', message: 'withdrawn by Loa' }
          : undefined;
      this.receipt(command.broadcastId, error || !complete ? 'failed' : 'finished', {
        startedAt,
        secondsPlayed: complete && !error ? total : secondsPlayed,
        ...(error ? { error } : {}),
      });
    });
  }

  private receipt(broadcastId: string, kind: ReceiptKind, extra: Partial<Receipt>): void {
    const r: Receipt = {
      v: PROTOCOL_VERSION,
      id: receiptId(broadcastId, kind),
      broadcastId,
      kind,
      at: this.clock.trueNow(),
      ...(this.clock.offsetMs === null ? {} : { offsetMs: this.clock.offsetMs }),
      ...(this.clock.rttMs === null ? {} : { rttMs: this.clock.rttMs }),
      ...extra,
    };
    this.state.pending = [...this.state.pending.filter((p) => p.id !== r.id), r];
    this.save();
    this.send(r);
  }

  private send(r: Receipt): void {
    if (!this.client?.connected) return; // kept; re-sent on reconnect
    this.client.publish(topics.receipt(this.options.clusterId), JSON.stringify(r), { qos: 1 }, (err) => {
      if (err) this.options.log?.('receipt refused', { id: r.id, err: err.message });
    });
  }

  private flushReceipts(): void {
    for (const r of this.state.pending) this.send(r);
  }

  private heartbeat(): void {
    if (!this.client?.connected) return;
    const beat: StatusMessage = {
      v: PROTOCOL_VERSION,
      type: 'heartbeat',
      at: this.clock.trueNow(),
      offsetMs: this.clock.offsetMs,
      rttMs: this.clock.rttMs,
      playing:
        this.playing && this.playing.entry.startedAt
          ? {
              broadcastId: this.playing.id,
              secondsPlayed: Math.max(0, (this.clock.trueNow() - this.playing.entry.startedAt) / 1000),
            }
          : null,
      pendingReceipts: this.state.pending.length,
    };
    this.client.publish(topics.status(this.options.clusterId), JSON.stringify(beat), { qos: 0 });
  }

  /**
   * An exchange every `timeSyncMs` or so, at a random point of each period: receivers that
   * started together (a broker restart, the simulator) do not keep asking together, so their
   * requests do not queue behind each other and make the answers' delay lopsided.
   */
  private syncPeriodically(): void {
    const period = this.options.timeSyncMs ?? 60_000;
    const timer = setTimeout(
      () => {
        this.syncs.delete(timer);
        this.askTime();
        this.syncPeriodically();
      },
      period * (0.5 + Math.random()),
    );
    this.syncs.add(timer);
  }

  private askTimeIn(ms: number): void {
    const timer = setTimeout(() => {
      this.syncs.delete(timer);
      this.askTime();
    }, ms);
    this.syncs.add(timer);
  }

  /**
   * Fresh samples a few seconds before a start, at random moments of that window (the download
   * and its receipts are done by then): the offset the start uses is recent, and the smallest
   * round trip among more samples is closer to the link's own.
   */
  private syncBefore(startLocal: number): void {
    const left = startLocal - this.clock.local();
    const from = Math.max(0, left - PRESTART_SYNC_MS[0]);
    const to = left - PRESTART_SYNC_MS[1];
    if (to <= from) return;
    for (let i = 0; i < PRESTART_SYNCS; i++) this.askTimeIn(from + Math.random() * (to - from));
  }

  private askTime(): void {
    if (!this.client?.connected) return;
    const request: StatusMessage = {
      v: PROTOCOL_VERSION,
      type: 'time-request',
      id: String(++this.timeSeq),
      t0: this.clock.local(),
    };
    this.client.publish(topics.status(this.options.clusterId), JSON.stringify(request), { qos: 0 });
  }
}

function totalSec(command: PlayCommand): number {
  return command.items.reduce((s, i) => s + i.gapBeforeSec + i.durationSec, 0);
}
