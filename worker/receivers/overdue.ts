// Store-and-forward airings are played by the receiver, not by the worker that sent the command:
// a worker that dies while the receiver's link is down says nothing about the airing, and the
// receipts arrive when the link returns. So the sweep leaves MQTT rows to the receipts, and ends
// one only once its receipt deadline has passed with no final receipt.
import { settleAiring } from '../../domain/dispatch/outcome.ts';
import type { Priority } from '../../domain/priority.ts';
import { RECEIPT_GRACE_MS, receiptDeadline } from '../../domain/receiver-protocol.ts';
import { moveBroadcast } from '../../prisma/repositories/broadcasts.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { unsettledReceiverAirings } from '../../prisma/repositories/receivers.ts';

const NO_RECEIPT = {
  code: 'no-receipt',
  message: 'bộ thu không gửi biên nhận kết thúc / the receiver sent no final receipt',
};

/** Ends the MQTT rows past their receipt deadline; returns how many. */
export async function endSilentReceiverAirings(
  db: DbClient,
  options: { now: number; maxLateMs: number; graceMs?: number },
): Promise<number> {
  const limits = {
    maxLateMs: options.maxLateMs,
    ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
  };
  // The shortest deadline is the scheduled instant plus the grace: nothing newer can be due.
  const rows = await unsettledReceiverAirings(
    db,
    new Date(options.now - (options.graceMs ?? RECEIPT_GRACE_MS)),
  );
  let ended = 0;
  for (const row of rows) {
    // An emergency or test tone sent "now" starts from when it was claimed, not its instant.
    const startAt = Math.max(row.scheduledAt.getTime(), row.startedAt?.getTime() ?? 0);
    const deadline = receiptDeadline(
      { startAt, priority: row.priority as Priority, durationSec: row.durationSec },
      limits,
    );
    if (options.now <= deadline) continue;
    const aired = row.secondsAired ?? 0;
    const to =
      row.status === 'AIRING'
        ? settleAiring({ durationSec: row.durationSec, secondsAired: aired, error: NO_RECEIPT }).status
        : 'MISSED';
    const ok = await moveBroadcast(db, row.id, to, {
      reasonCode: NO_RECEIPT.code,
      reason: NO_RECEIPT.message,
      endedAt: new Date(options.now),
    });
    if (ok) ended++;
  }
  return ended;
}
