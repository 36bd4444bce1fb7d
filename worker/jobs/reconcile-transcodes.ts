// reconcile-transcodes: a bulletin left PROCESSING with no job (the API crashed between its
// commit and the enqueue, or Redis lost the job) gets its job again. The deterministic job id
// makes this a no-op when the job is there. One left PROCESSING by a job that failed for good
// (its worker died before saying so, or the database was away then) is marked FAILED with the
// job's reason: retrying it here would loop on an input that keeps failing.
import { bulletinRepository } from '../../prisma/repositories/bulletins.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { transcodeJobId } from './catalogue.ts';
import type { JobProducer } from './producer.ts';
import { markTranscodeFailed } from './transcode-bulletin.ts';

export async function reconcileTranscodes(
  db: DbClient,
  jobs: JobProducer,
): Promise<{ requeued: number; failed: number }> {
  let requeued = 0;
  let failed = 0;
  for (const { id, revision } of await bulletinRepository.processing(db)) {
    const existing = await jobs.queue('transcode').getJob(transcodeJobId(id, revision));
    if (!existing) {
      await jobs.enqueue('transcode-bulletin', { bulletinId: id, revision }, transcodeJobId(id, revision));
      requeued++;
    } else if (
      (await existing.isFailed()) &&
      (await markTranscodeFailed(db, existing.data, existing.failedReason))
    ) {
      failed++;
    }
  }
  return { requeued, failed };
}
