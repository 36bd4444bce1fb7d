// The live board's changes, for its event stream (SSE). One poll per API process, whatever the
// number of browsers watching: every `intervalMs` it reads a cheap fingerprint of what the board
// shows (boardStamp) and, when it changed, tells every subscriber, who then re-reads its own
// board (each in its own scope). The poll runs only while someone watches.

import { boardStamp } from '../../../prisma/repositories/broadcast-views.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';

const HALF_DAY_MS = 36 * 3600_000;

export class BoardFeed {
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private stamp = '';
  private polling = false;

  constructor(
    private readonly db: DbClient,
    private readonly intervalMs = 1000,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
        this.stamp = '';
      }
    };
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      const stamp = await boardStamp(this.db, {
        from: new Date(now - HALF_DAY_MS),
        to: new Date(now + HALF_DAY_MS),
      });
      // The minute matters too: what airs "next" and the day's window move with the clock.
      const key = `${stamp}|${Math.floor(now / 60_000)}`;
      // The first poll after a subscription tells everyone too: a change between a browser's
      // first read and that poll is not lost (one extra read at worst).
      if (key !== this.stamp) {
        this.stamp = key;
        for (const listener of this.listeners) listener();
      }
    } catch {
      // The database away for a moment: the next poll tries again.
    } finally {
      this.polling = false;
    }
  }
}
