// One MQTT connection per worker process to the receivers' broker. It publishes the commands
// (retained per broadcast, with an expiry), and consumes what the receivers send through shared
// subscriptions (`$share/loa/…`), so with several worker processes each message is handled by
// one of them: receipts are recorded in the database (see receipts.ts) and acknowledged, time
// requests answered at once, heartbeats turned into cluster health and progress.
import { EventEmitter } from 'node:events';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import {
  type Ack,
  type Command,
  PROTOCOL_VERSION,
  parseTopic,
  Receipt,
  StatusMessage,
  type TimeAnswer,
  topics,
} from '../../domain/receiver-protocol.ts';
import type { Logger } from '../../platform/logger.ts';

export interface ReceiverLinkOptions {
  url: string;
  username: string;
  password: string;
  logger: Logger;
  /** Loa's clock (the dispatch clock), for time answers. */
  now(): number;
  /** Records a receipt; resolves once it is safe to acknowledge (stored, or nothing to store). */
  onReceipt(clusterId: string, receipt: Receipt): Promise<void>;
  onHeartbeat(clusterId: string, heartbeat: Extract<StatusMessage, { type: 'heartbeat' }>): Promise<void>;
}

export class ReceiverLink extends EventEmitter {
  private readonly client: MqttClient;

  private constructor(
    client: MqttClient,
    private readonly options: ReceiverLinkOptions,
  ) {
    super();
    this.client = client;
  }

  static open(options: ReceiverLinkOptions): ReceiverLink {
    // Not waited for: a broker that is away must not keep the workers from starting.
    const client = mqtt.connect(options.url, {
      protocolVersion: 5,
      username: options.username,
      password: options.password,
      clientId: `loa-worker-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      // Nothing is queued while the broker is away: commands are re-published by the announce
      // job and at each instant, and receivers re-send what was not acknowledged.
      queueQoSZero: false,
    });
    const link = new ReceiverLink(client, options);
    client.on('message', (topic, payload, packet) => link.onMessage(topic, payload, packet));
    client.on('error', (err) =>
      options.logger.warn({ module: 'receivers', err: err.message }, 'broker error'),
    );
    // A clean session forgets subscriptions: subscribe on every (re)connect.
    client.on('connect', () => void link.subscribe());
    return link;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  private async subscribe(): Promise<void> {
    await this.client
      .subscribeAsync({ '$share/loa/loa/+/receipt': { qos: 1 }, '$share/loa/loa/+/status': { qos: 0 } })
      .catch((err: Error) =>
        this.options.logger.warn({ module: 'receivers', err: err.message }, 'subscribe failed'),
      );
  }

  /** A command for one broadcast, retained until it expires (or is replaced or cleared). */
  async publishCommand(clusterId: string, command: Command, expiresAt: number): Promise<void> {
    this.requireConnected();
    const expirySec = Math.max(1, Math.ceil((expiresAt - this.options.now()) / 1000));
    await this.client.publishAsync(topics.command(clusterId, command.broadcastId), JSON.stringify(command), {
      qos: 1,
      retain: true,
      properties: { messageExpiryInterval: expirySec },
    });
  }

  /** Removes a broadcast's retained command (it has ended: nothing more to tell a receiver). */
  async clearCommand(clusterId: string, broadcastId: string): Promise<void> {
    this.requireConnected();
    await this.client.publishAsync(topics.command(clusterId, broadcastId), '', { qos: 1, retain: true });
  }

  /** The retained commands on the broker now (waits until `quietMs` pass with no new one). */
  async retainedCommands(quietMs = 500, maxMs = 10_000): Promise<{ clusterId: string; command: Command }[]> {
    const found: { clusterId: string; command: Command }[] = [];
    const filter = 'loa/+/cmd/+';
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, maxMs);
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          clearTimeout(deadline);
          resolve();
        }, quietMs);
      };
      this.retainedSink = (clusterId, command) => {
        found.push({ clusterId, command });
        arm();
      };
      arm();
    });
    await this.client.subscribeAsync(filter, { qos: 0, rh: 0 });
    await quiet;
    this.retainedSink = undefined;
    await this.client.unsubscribeAsync(filter);
    return found;
  }

  /** A publish while the broker is away would wait for it: say so instead (the caller retries). */
  private requireConnected(): void {
    if (!this.client.connected) {
      throw Object.assign(new Error('MQTT broker not connected / mất kết nối tới broker'), {
        code: 'cluster-offline',
      });
    }
  }

  /** Resolves once connected (bounded). */
  async connectedWithin(ms: number): Promise<boolean> {
    if (this.client.connected) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.client.connected), ms);
      this.client.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private retainedSink: ((clusterId: string, command: Command) => void) | undefined;

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const at = parseTopic(topic);
    if (!at) return;
    try {
      if (at.kind === 'cmd') {
        if (packet.retain && payload.length > 0 && this.retainedSink) {
          this.retainedSink(at.clusterId, JSON.parse(payload.toString()) as Command);
        }
      } else if (at.kind === 'receipt') {
        void this.handleReceipt(at.clusterId, Receipt.parse(JSON.parse(payload.toString())));
      } else if (at.kind === 'status') {
        const t1 = this.options.now();
        const status = StatusMessage.parse(JSON.parse(payload.toString()));
        if (status.type === 'time-request') this.answerTime(at.clusterId, status.id, status.t0, t1);
        else void this.options.onHeartbeat(at.clusterId, status).catch((err: Error) => this.warn(err));
      }
    } catch (err) {
      this.options.logger.warn(
        { module: 'receivers', topic, err: (err as Error).message },
        'message refused (not the protocol)',
      );
    }
  }

  private answerTime(clusterId: string, id: string, t0: number, t1: number): void {
    const answer: TimeAnswer = { v: PROTOCOL_VERSION, id, t0, t1, t2: this.options.now() };
    this.client.publish(topics.time(clusterId), JSON.stringify(answer), { qos: 0 });
  }

  private async handleReceipt(clusterId: string, receipt: Receipt): Promise<void> {
    try {
      await this.options.onReceipt(clusterId, receipt);
    } catch (err) {
      // Not acknowledged: the receiver sends it again.
      this.warn(err as Error);
      return;
    }
    const ack: Ack = { v: PROTOCOL_VERSION, ids: [receipt.id] };
    this.client.publish(topics.ack(clusterId), JSON.stringify(ack), { qos: 1 });
    this.emit('receipt', receipt);
  }

  private warn(err: Error) {
    this.options.logger.warn({ module: 'receivers', err: err.message }, 'receiver message not handled');
  }

  async close(): Promise<void> {
    await this.client.endAsync().catch(() => {});
  }
}
