// What becomes of a slot broadcast an emergency cut short: if its occurrence is still open
// (LOA_PREEMPTED_REAIR_MIN after its scheduled start), it airs again from the start as soon as
// the cluster is free — that is, when the airing that preempted it ends. It stays PREEMPTED with
// the seconds it aired; the re-air is a second attempt at the same occurrence, logged as such.
import { planReairs } from '../../prisma/repositories/broadcasts.ts';
import type { DispatchDeps } from './deps.ts';

export async function reairPreempted(deps: DispatchDeps, preemptorId: string): Promise<string[]> {
  if (deps.reairWithinMs <= 0) return [];
  const now = deps.clock.now();
  const ids = await planReairs(deps.db, preemptorId, {
    since: new Date(now - deps.reairWithinMs),
    at: new Date(now),
  });
  if (ids.length > 0) {
    deps.logger.info(
      { module: 'dispatch', preemptorId, broadcastIds: ids },
      're-airing preempted broadcasts',
    );
    await deps.airSoon?.(ids);
  }
  return ids;
}
