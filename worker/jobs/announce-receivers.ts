// announce-receivers: every minute, the play commands of the MQTT broadcasts due within
// LOA_MQTT_ANNOUNCE_MIN go out (again: one retained message per broadcast, so re-sending is
// harmless), so a receiver has minutes, not seconds, to download over a weak link. The broker's
// retained commands are then compared with the rows: a broadcast that is gone (re-planned away)
// or cancelled is withdrawn from its receiver, one that has ended is cleared from the broker.
import { isTerminal } from '../../domain/dispatch/broadcast-status.ts';
import type { MediaStore } from '../../media/store.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DueBroadcast } from '../../prisma/repositories/broadcasts.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { broadcastsToAnnounce, statusesOf } from '../../prisma/repositories/receivers.ts';
import { toAiringRequest } from '../dispatch/request.ts';
import type { Receivers } from '../receivers/service.ts';

const WITHDRAWN = {
  code: 'withdrawn',
  message: 'lịch phát đã thay đổi hoặc bị huỷ / the broadcast was re-planned or cancelled',
};

export async function announceReceivers(
  ctx: { db: DbClient; store: MediaStore; logger: Logger; receivers: Receivers | null },
  options: { now: number; announceMs: number },
): Promise<{ announced: number; withdrawn: number; cleared: number }> {
  const { receivers } = ctx;
  if (!receivers) return { announced: 0, withdrawn: 0, cleared: 0 };
  const { driver, link } = receivers;
  let announced = 0;
  const due = await broadcastsToAnnounce(ctx.db, {
    from: new Date(options.now),
    to: new Date(options.now + options.announceMs),
  });
  for (const row of due as DueBroadcast[]) {
    try {
      await driver.announce(toAiringRequest(row, driver, ctx.store, row.scheduledAt.getTime()));
      announced++;
    } catch (err) {
      ctx.logger.warn(
        { module: 'receivers', broadcastId: row.id, err: (err as Error).message },
        'not announced',
      );
    }
  }
  let withdrawn = 0;
  let cleared = 0;
  const retained = (await link.retainedCommands()).filter((r) => r.command.type === 'play');
  const statuses = await statusesOf(
    ctx.db,
    retained.map((r) => r.command.broadcastId),
  );
  for (const { clusterId, command } of retained) {
    const status = statuses.get(command.broadcastId);
    if (status === undefined || status === 'CANCELLED') {
      await driver.withdraw(clusterId, command.broadcastId, WITHDRAWN);
      withdrawn++;
    } else if (isTerminal(status as never)) {
      await link.clearCommand(clusterId, command.broadcastId);
      cleared++;
    }
  }
  return { announced, withdrawn, cleared };
}
