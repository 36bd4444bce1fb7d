// Transcode progress as it happens, for the web app (SSE): one QueueEvents listener per API
// process, fanned out to the browsers watching each bulletin.
import { EventEmitter } from 'node:events';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

export type FeedEvent = { kind: 'progress'; progress: number } | { kind: 'settled' };

const JOB_ID = /^tb-([0-9a-f-]{36})-\d+$/;

export class ProgressFeed {
  private readonly emitter = new EventEmitter();
  private events: QueueEvents | undefined;
  private connection: Redis | undefined;

  constructor(
    private readonly connect: () => Redis,
    private readonly prefix: string,
  ) {
    this.emitter.setMaxListeners(0);
  }

  private start(): void {
    if (this.events) return;
    this.connection = this.connect();
    const events = new QueueEvents('transcode', { connection: this.connection, prefix: this.prefix });
    const bulletinOf = (jobId: string) => JOB_ID.exec(jobId)?.[1];
    events.on('progress', ({ jobId, data }) => {
      const id = bulletinOf(jobId);
      const progress = typeof data === 'number' ? data : Number((data as { progress?: number })?.progress);
      if (id && Number.isFinite(progress)) this.emitter.emit(id, { kind: 'progress', progress });
    });
    // 'active': processing has started (the status changes too, not only the progress).
    for (const settled of ['active', 'completed', 'failed'] as const) {
      events.on(settled, ({ jobId }: { jobId: string }) => {
        const id = bulletinOf(jobId);
        if (id) this.emitter.emit(id, { kind: 'settled' });
      });
    }
    events.on('error', () => {});
    this.events = events;
  }

  subscribe(bulletinId: string, listener: (event: FeedEvent) => void): () => void {
    this.start();
    this.emitter.on(bulletinId, listener);
    return () => this.emitter.off(bulletinId, listener);
  }

  async close(): Promise<void> {
    await this.events?.close();
    this.connection?.disconnect();
  }
}
