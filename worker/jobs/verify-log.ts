// verify-log: the broadcast log's chains recomputed in the background, so the web app shows their
// state without a request reading a million records (minutes). A run recomputes only what was
// appended after the heads the previous run verified, and the whole log once a day: a record
// rewritten behind the application's back before a verified head is what only the whole run
// sees (as does `loa log verify`, which always recomputes whole chains).
import type { Redis } from 'ioredis';
import type { ChainCheckpoint } from '../../domain/session-log/verify.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { verifyLog } from '../../prisma/repositories/session-verification.ts';
import { readStoredVerification, storeVerification } from './verify-log-result.ts';

const WHOLE_LOG_EVERY_MS = 24 * 3600_000;

export async function verifyLogJob(
  db: DbClient,
  redis: Redis,
  prefix: string,
  now: Date,
): Promise<{ whole: boolean; ok: boolean; chains: number }> {
  const previous = await readStoredVerification(redis, prefix);
  // The last whole run, if it is recent enough to resume from.
  const since =
    previous && now.getTime() - Date.parse(previous.wholeAt) < WHOLE_LOG_EVERY_MS ? previous : null;
  const resume = new Map<string, ChainCheckpoint>();
  // A chain found broken is recomputed whole every time, so its state cannot quietly turn good.
  for (const chain of since?.chains ?? [])
    if (chain.ok && chain.head) resume.set(chain.communeId, chain.head);
  const result = await verifyLog(db, { now, resume });
  await storeVerification(redis, prefix, {
    wholeAt: since?.wholeAt ?? now.toISOString(),
    checkedAt: result.checkedAt,
    chains: result.chains,
  });
  return { whole: since === null, ok: result.ok, chains: result.chains.length };
}
