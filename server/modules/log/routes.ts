// The broadcast log's verification state, for auditors and admins within their scope: every
// chain they may see recomputed (see `loa log verify`), the first record that does not match,
// and the heads an export made now would print. The worker's verify-log job keeps that state
// (a million records take minutes); without a recent one (no worker running yet), the chains
// are recomputed here, one result per scope kept for a short while.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { hasGlobalRole } from '../../../domain/access.ts';
import { communeRepository } from '../../../prisma/repositories/communes.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';
import { type LogVerification, verifyLog } from '../../../prisma/repositories/session-verification.ts';
import { JOBS } from '../../../worker/jobs/catalogue.ts';
import { latestVerification } from '../../../worker/jobs/verify-log-result.ts';
import { NotFoundError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Uuid } from '../../http/schemas.ts';

const READERS = ['ADMIN', 'AUDITOR'] as const;
const CACHE_MS = 30_000;
/** A background result older than three of the job's periods means no worker keeps it. */
const BACKGROUND_MAX_AGE_MS = 3 * JOBS['verify-log'].everyMs;

const Hex = z.string();
const MismatchOut = z.object({
  problem: z.enum(['gap', 'link', 'hash']),
  seq: z.number().int(),
  broadcastId: z.string(),
  expectedSeq: z.number().int().optional(),
  expected: Hex.optional(),
  found: Hex.optional(),
});

const VerificationOut = z
  .object({
    ok: z.boolean(),
    checkedAt: z.string(),
    chains: z.array(
      z.object({
        commune: z.string(),
        communeId: z.string(),
        communeName: z.string(),
        records: z.number().int(),
        head: z.object({ seq: z.number().int(), hash: Hex }).nullable(),
        ok: z.boolean(),
        mismatch: MismatchOut.nullable(),
      }),
    ),
    chainHeads: z.array(z.object({ commune: z.string(), seq: z.number().int(), hash: Hex })),
  })
  .meta({ id: 'LogVerification' });

const VerificationQuery = z.strictObject({ communeId: Uuid.optional() });

export function logRoutes(deps: { db: DbClient; redis: Redis; redisPrefix: string }): RouteDefinition[] {
  const { db } = deps;
  const cache = new Map<string, { at: number; result: Promise<LogVerification> }>();
  const verified = async (communeIds: string[] | undefined) => {
    const background = await latestVerification(deps.redis, deps.redisPrefix, {
      ...(communeIds ? { communeIds } : {}),
      maxAgeMs: BACKGROUND_MAX_AGE_MS,
      now: Date.now(),
    });
    if (background) return background;
    const key = communeIds ? [...communeIds].sort().join(',') : '*';
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.result;
    const result = verifyLog(db, communeIds ? { communeIds } : {});
    cache.set(key, { at: Date.now(), result });
    result.catch(() => cache.delete(key));
    return result;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/log/verification',
      summary: 'Verification of the broadcast log: each commune chain recomputed, and its head',
      tags: ['log'],
      access: { kind: 'scoped', roles: [...READERS] },
      request: { query: VerificationQuery },
      response: { description: 'Verification', schema: VerificationOut },
      problems: [401, 403, 404],
      handler: async ({ query }, { actor }) => {
        if (!actor) throw new NotFoundError('commune');
        const reachable = hasGlobalRole(actor, READERS)
          ? undefined
          : await communeRepository.idsReachedBy(db, actor, READERS);
        let communeIds = reachable;
        if (query.communeId) {
          if (reachable && !reachable.includes(query.communeId)) throw new NotFoundError('commune');
          communeIds = [query.communeId];
        }
        const result = await verified(communeIds);
        if (query.communeId && result.chains.length === 0) throw new NotFoundError('commune');
        return result;
      },
    }),
  ];
}
