// materialise-broadcasts: the slot occurrences of the coming hours become Broadcast rows (one per
// slot × instant × cluster, with each cluster's rendition), and every start instant that has
// planned broadcasts gets its dispatch job, due a little before the instant. Run every minute by
// a job scheduler and after each change to slots, calendars or bulletins; safe to run anywhere,
// any number of times at once (unique rows, deterministic job ids, PLANNED-only edits). Also the
// reconcile sweep: a Redis loss or a crash can lose jobs, never rows, so re-enqueueing from the
// rows restores what was lost.
import { planSlot } from '../../domain/dispatch/materialise.ts';
import type { Logger } from '../../platform/logger.ts';
import { plannedInstants, removeOrphans, syncPlanned } from '../../prisma/repositories/broadcasts.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { plannablePage } from '../../prisma/repositories/plannable.ts';
import { dispatchJobId } from './catalogue.ts';
import type { JobProducer } from './producer.ts';

export interface MaterialiseOptions {
  now: number;
  horizonMs: number;
  /** How long before its instant a dispatch job is due (claims, driver preparation). */
  leadMs: number;
  slotIds?: string[];
  pageSize?: number;
}

export async function materialiseBroadcasts(
  db: DbClient,
  jobs: JobProducer,
  logger: Logger,
  options: MaterialiseOptions,
): Promise<{ created: number; updated: number; removed: number; instants: number }> {
  const window = { from: new Date(options.now), to: new Date(options.now + options.horizonMs) };
  const totals = { created: 0, updated: 0, removed: 0 };
  const seen = new Set<string>();
  const add = (counts: { created: number; updated: number; removed: number }) => {
    totals.created += counts.created;
    totals.updated += counts.updated;
    totals.removed += counts.removed;
  };
  // One page's writes run while the next page is read and planned, so the database and this
  // process work at the same time; never more than one write in flight, so memory stays at two
  // pages whatever the number of clusters. Pages hold disjoint slots: their writes are independent.
  let writing: ReturnType<typeof syncPlanned> | null = null;
  let after: string | null = null;
  do {
    const page = await plannablePage(db, {
      after,
      size: options.pageSize ?? 500,
      ...(options.slotIds ? { slotIds: options.slotIds } : {}),
    });
    const planned = page.slots.flatMap((slot) => {
      const { planned, unplanned } = planSlot(slot, window, page.bulletins, page.clusters);
      for (const u of unplanned) logger.debug({ module: 'materialise', ...u }, 'occurrence not planned');
      return planned;
    });
    if (writing) add(await writing);
    writing = syncPlanned(
      db,
      page.slots.map((s) => s.id),
      window,
      planned,
    );
    for (const slot of page.slots) seen.add(slot.id);
    after = page.next;
  } while (after);
  if (writing) add(await writing);
  if (!options.slotIds) totals.removed += await removeOrphans(db, window);
  else {
    // Slots asked for that are gone (deleted): their future broadcasts go with them.
    const gone = options.slotIds.filter((id) => !seen.has(id));
    if (gone.length > 0) totals.removed += (await syncPlanned(db, gone, window, [])).removed;
  }

  const instants = await plannedInstants(db, { from: new Date(options.now - options.leadMs), to: window.to });
  for (const at of instants) {
    const delayMs = Math.max(0, at.getTime() - options.leadMs - options.now);
    await jobs.enqueue('dispatch-instant', { at: at.toISOString() }, dispatchJobId(at), { delayMs });
  }
  return { ...totals, instants: instants.length };
}
