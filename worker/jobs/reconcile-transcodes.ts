// reconcile-transcodes: a bulletin left PROCESSING with no job (the API crashed between its
// commit and the enqueue, or Redis lost the job) gets its job again. The deterministic job id
// makes this a no-op when the job is there.
import { bulletinRepository } from '../../prisma/repositories/bulletins.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { transcodeJobId } from './catalogue.ts';
import type { JobProducer } from './producer.ts';

export async function reconcileTranscodes(db: DbClient, jobs: JobProducer): Promise<{ requeued: number }> {
  let requeued = 0;
  for (const { id, revision } of await bulletinRepository.processing(db)) {
    const existing = await jobs.queue('transcode').getJob(transcodeJobId(id, revision));
    if (existing && !(await existing.isFailed())) continue;
    await jobs.enqueue('transcode-bulletin', { bulletinId: id, revision }, transcodeJobId(id, revision));
    requeued++;
  }
  return { requeued };
}
