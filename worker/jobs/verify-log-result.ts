// What the verify-log job leaves for the API (worker/jobs/verify-log.ts): the chains' state as
// last verified in the background, in Redis — derived data, rebuilt by the next run if lost.
// Part of the job contract the API may import, like the catalogue.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  type ChainVerification,
  type LogVerification,
  summariseChains,
} from '../../prisma/repositories/session-verification.ts';

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
export type StoredVerification = z.infer<typeof StoredVerification>;

const keyOf = (prefix: string) => `${prefix}:log-verification`;

export async function readStoredVerification(
  redis: Redis,
  prefix: string,
): Promise<StoredVerification | null> {
  const text = await redis.get(keyOf(prefix));
  if (!text) return null;
  const parsed = StoredVerification.safeParse(JSON.parse(text));
  // A result written by another version of Loa is simply recomputed.
  return parsed.success ? parsed.data : null;
}

export async function storeVerification(
  redis: Redis,
  prefix: string,
  stored: StoredVerification,
): Promise<void> {
  await redis.set(keyOf(prefix), JSON.stringify(stored));
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
  const stored = await readStoredVerification(redis, prefix);
  if (!stored || options.now - Date.parse(stored.checkedAt) > options.maxAgeMs) return null;
  const wanted = options.communeIds ? new Set(options.communeIds) : null;
  const chains: ChainVerification[] = stored.chains.filter((c) => !wanted || wanted.has(c.communeId));
  return summariseChains(chains, stored.checkedAt);
}
