// verify-log: the broadcast log's chains recomputed in the background, so the web app shows their
// state without a request reading a million records (minutes). A run recomputes only what was
// appended after the heads the previous run verified, and the whole log once a day: a record
// rewritten behind the application's back before a verified head is what only the whole run
// sees (as does `loa log verify`, which always recomputes whole chains). The result lives in
// Redis: derived data, rebuilt by the next run if lost.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ChainCheckpoint } from '../../domain/session-log/verify.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import {
  type ChainVerification,
  type LogVerification,
  summariseChains,
  verifyLog,
} from '../../prisma/repositories/session-verification.ts';

const WHOLE_LOG_EVERY_MS = 24 * 3600_000;

const Mismatch = z.discriminatedUnion('problem', [
  z.object({ problem: z.literal('gap'), seq: z.number(), expectedSeq: z.number(), broadcastId: z.string() }),
  z.object({
    problem: z.enum(['link', 'hash']),
    seq: z.number(),
    broadcastId: z.string(),
    expected: z.string(),
    found: z.string(),
  }),
]);

const StoredVerification = z.object({
  /** When the last run over whole chains began. */
  wholeAt: z.iso.datetime(),
  checkedAt: z.iso.datetime(),
  chains: z.array(
    z.object({
      commune: z.string(),
      communeId: z.string(),
      communeName: z.string(),
      records: z.number(),
      head: z.object({ seq: z.number(), hash: z.string() }).nullable(),
      ok: z.boolean(),
      mismatch: Mismatch.nullable(),
    }),
  ),
});
type StoredVerification = z.infer<typeof StoredVerification>;

const keyOf = (prefix: string) => `${prefix}:log-verification`;

async function readStored(redis: Redis, prefix: string): Promise<StoredVerification | null> {
  const text = await redis.get(keyOf(prefix));
  if (!text) return null;
  const parsed = StoredVerification.safeParse(JSON.parse(text));
  // A result written by another version of Loa is simply recomputed.
  return parsed.success ? parsed.data : null;
}

export async function verifyLogJob(
  db: DbClient,
  redis: Redis,
  prefix: string,
  now: Date,
): Promise<{ whole: boolean; ok: boolean; chains: number }> {
  const previous = await readStored(redis, prefix);
  const whole = !previous || now.getTime() - Date.parse(previous.wholeAt) >= WHOLE_LOG_EVERY_MS;
  const resume = new Map<string, ChainCheckpoint>();
  // A chain found broken is recomputed whole every time, so its state cannot quietly turn good.
  for (const chain of whole ? [] : (previous?.chains ?? []))
    if (chain.ok && chain.head) resume.set(chain.communeId, chain.head);
  const result = await verifyLog(db, { now, resume });
  const stored: StoredVerification = {
    wholeAt: whole ? now.toISOString() : (previous?.wholeAt ?? now.toISOString()),
    checkedAt: result.checkedAt,
    chains: result.chains,
  };
  await redis.set(keyOf(prefix), JSON.stringify(stored));
  return { whole, ok: result.ok, chains: result.chains.length };
}

/**
 * The last background verification, limited to the chains of `communeIds` (all when absent), or
 * null when there is none younger than `maxAgeMs`.
 */
export async function latestVerification(
  redis: Redis,
  prefix: string,
  options: { communeIds?: readonly string[]; maxAgeMs: number; now: number },
): Promise<LogVerification | null> {
  const stored = await readStored(redis, prefix);
  if (!stored || options.now - Date.parse(stored.checkedAt) > options.maxAgeMs) return null;
  const wanted = options.communeIds ? new Set(options.communeIds) : null;
  const chains: ChainVerification[] = stored.chains.filter((c) => !wanted || wanted.has(c.communeId));
  return summariseChains(chains, stored.checkedAt);
}
