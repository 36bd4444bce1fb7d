/**
 * MQTT store-and-forward for 4G smart receivers. The play command goes out well ahead (the
 * announce job, minutes before; again in `prepare`, seconds before), retained on the broker per
 * broadcast so a receiver that reconnects gets it. The receiver downloads the rendition ahead
 * (signed, expiring URL; HTTP Range resumes), checks its sha256 and plays at the instant by its
 * own clock corrected by its measured offset. `start` sends nothing: it watches the broadcast row,
 * which the receipts settle (worker/receivers/receipts.ts) in whichever worker process gets them,
 * and holds the cluster's lease until the last receipt (or its deadline).
 */
import type { z } from 'zod';
import { isTerminal } from '../../domain/dispatch/broadcast-status.ts';
import { DriverConfigByKind } from '../../domain/driver-config.ts';
import {
  EMERGENCY_WINDOW_MS,
  type PlayCommand,
  PROTOCOL_VERSION,
  receiptDeadline,
  type WithdrawCommand,
} from '../../domain/receiver-protocol.ts';
import { clusterProfileId } from '../../media/cluster-profile.ts';
import { signMediaUrl } from '../../platform/receiver-secrets.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { receiverBroadcast } from '../../prisma/repositories/receivers.ts';
import type { ReceiverLink } from '../receivers/link.ts';
import type { Airing, AiringOutcome, AiringRequest, Driver, PreparedAiring } from './driver.ts';

export type MqttConfig = z.infer<(typeof DriverConfigByKind)['MQTT']>;

export interface MqttDriverOptions {
  /** The process's broker connection; null while there is none (prepare then fails: retried). */
  link(): ReceiverLink | null;
  db: DbClient;
  secret: string;
  /** Where receivers reach Loa's API for media (LOA_PUBLIC_URL). */
  publicUrl: string;
  /** A normal or priority bulletin is not started later than this after its instant. */
  maxLateMs: number;
  now(): number;
  /** How often a running airing re-reads its row (receipts may land in another worker). */
  pollMs?: number;
  /** After the programme's planned end, how long the last receipt is waited for. */
  receiptGraceMs?: number;
}

/** Media URLs and retained commands outlive the latest start by this much (a slow download). */
const EXPIRY_SLACK_MS = 3600_000;

export class MqttDriver implements Driver<MqttConfig> {
  readonly kind = 'MQTT';
  /** The command is re-sent at the dispatch lead; the announce job sent it minutes before. */
  readonly leadMs = 15_000;
  constructor(private readonly options: MqttDriverOptions) {}

  parseConfig(config: unknown): MqttConfig {
    return DriverConfigByKind.MQTT.parse(config ?? {});
  }

  profileId(config: MqttConfig): string {
    return clusterProfileId('MQTT', config);
  }

  /** The play command for a request (the secret stays here: only signed URLs go out). */
  playCommand(request: AiringRequest, now = false): PlayCommand {
    const notAfter =
      request.startAt + (request.priority === 'EMERGENCY' ? EMERGENCY_WINDOW_MS : this.options.maxLateMs);
    const exp = notAfter + totalSec(request) * 1000 + EXPIRY_SLACK_MS;
    return {
      v: PROTOCOL_VERSION,
      type: 'play',
      broadcastId: request.broadcastId,
      startAt: request.startAt,
      priority: request.priority,
      now,
      notAfter,
      items: request.items.map((item, index) => ({
        url: signMediaUrl(this.options.secret, this.options.publicUrl, {
          broadcastId: request.broadcastId,
          item: index,
          exp,
        }),
        sha256: item.sha256,
        bytes: item.bytes,
        durationSec: item.durationSec,
        gapBeforeSec: item.gapBeforeSec ?? 0,
      })),
    };
  }

  /** Sends (or re-sends: the same retained topic) the play command ahead of the instant. */
  async announce(request: AiringRequest, now = false): Promise<void> {
    const link = this.requireLink();
    const command = this.playCommand(request, now);
    await link.publishCommand(
      request.clusterId,
      command,
      command.notAfter + totalSec(request) * 1000 + EXPIRY_SLACK_MS,
    );
  }

  async withdraw(clusterId: string, broadcastId: string, reason: { code: string; message: string }) {
    const command: WithdrawCommand = { v: PROTOCOL_VERSION, type: 'withdraw', broadcastId, reason };
    // Kept a day: a receiver offline now still hears of it when it comes back.
    await this.requireLink().publishCommand(clusterId, command, this.options.now() + 24 * 3600_000);
  }

  async prepare(request: AiringRequest, _signal: AbortSignal): Promise<PreparedAiring> {
    this.parseConfig(request.config);
    // An emergency (or test tone) asked for now: the receiver plays it as soon as it has it.
    const now = request.startAt <= this.options.now() + 1_000;
    await this.announce(request, now);
    return {
      start: () => this.watch(request),
      abandon: async (reason) => {
        // A worker stopping hands the broadcast to another: the receiver keeps its command.
        if (reason.code !== 'stopping') await this.withdraw(request.clusterId, request.broadcastId, reason);
      },
    };
  }

  private requireLink(): ReceiverLink {
    const link = this.options.link();
    if (!link) throw Object.assign(new Error('no MQTT broker connection'), { code: 'cluster-offline' });
    return link;
  }

  /** The airing as the receipts tell it: started when a receipt says so, done when one ends it. */
  private watch(request: AiringRequest): Airing {
    const { db } = this.options;
    // The same deadline the sweep keeps when this worker is gone (worker/receivers/overdue.ts).
    const deadline = receiptDeadline(
      { startAt: request.startAt, priority: request.priority, durationSec: totalSec(request) },
      {
        maxLateMs: this.options.maxLateMs,
        ...(this.options.receiptGraceMs === undefined ? {} : { graceMs: this.options.receiptGraceMs }),
      },
    );
    let started: ((at: number) => void) | undefined;
    let notStarted: ((err: Error) => void) | undefined;
    const firstAudioAt = new Promise<number>((resolve, reject) => {
      started = resolve;
      notStarted = reject;
    });
    firstAudioAt.catch(() => {});
    let finish: ((outcome: AiringOutcome) => void) | undefined;
    const done = new Promise<AiringOutcome>((resolve) => {
      finish = resolve;
    });
    let firstAt: number | null = null;
    let over = false;
    const end = (outcome: AiringOutcome) => {
      if (over) return;
      over = true;
      clearInterval(poll);
      this.options.link()?.off('receipt', nudge);
      if (firstAt === null) notStarted?.(new Error(outcome.error?.message ?? 'not started'));
      finish?.(outcome);
    };
    const check = async () => {
      const row = await receiverBroadcast(db, request.broadcastId).catch(() => undefined);
      if (over || row === undefined) return;
      if (row === null)
        return end({ secondsAired: 0, error: { code: 'gone', message: 'broadcast removed' } });
      if (row.firstAudioAt && firstAt === null) {
        firstAt = row.firstAudioAt.getTime();
        started?.(firstAt);
      }
      if (isTerminal(row.status as never)) {
        return end({
          secondsAired: row.secondsAired ?? 0,
          ...(row.reasonCode ? { error: { code: row.reasonCode, message: row.reason ?? '' } } : {}),
          ...(row.receipt === null ? {} : { receipt: row.receipt }),
        });
      }
      if (this.options.now() > deadline) {
        end({
          secondsAired: row.secondsAired ?? 0,
          error: {
            code: 'no-receipt',
            message: 'bộ thu không gửi biên nhận kết thúc / the receiver sent no final receipt',
          },
        });
      }
    };
    const nudge = (receipt: { broadcastId: string }) => {
      if (receipt.broadcastId === request.broadcastId) void check();
    };
    this.options.link()?.on('receipt', nudge);
    // Not at once: start() runs in the instant's tight loop, and there is nothing to see yet.
    const poll = setInterval(() => void check(), this.options.pollMs ?? 1_000);
    return {
      firstAudioAt,
      done,
      stop: (reason) => {
        const aired = firstAt === null ? 0 : Math.max(0, (this.options.now() - firstAt) / 1000);
        this.withdraw(request.clusterId, request.broadcastId, reason).catch(() => {});
        end({ secondsAired: Math.min(aired, totalSec(request)), error: reason });
      },
    };
  }
}

function totalSec(request: Pick<AiringRequest, 'items'>): number {
  return request.items.reduce((sum, item) => sum + (item.gapBeforeSec ?? 0) + item.durationSec, 0);
}
