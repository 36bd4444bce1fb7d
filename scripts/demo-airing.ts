// On a first start with demo data, a test tone airs on every demo cluster a few seconds after
// the workers start, so a new user sees the whole path work — planned, aired, recorded, on the
// board — without first approving a bulletin and waiting for a market day.
import type { Actor } from '../domain/access.ts';
import type { MediaStore } from '../media/store.ts';
import type { Logger } from '../platform/logger.ts';
import type { DbClient } from '../prisma/repositories/db.ts';
import { demoAiringTargets } from '../prisma/seed.ts';
import { broadcastService } from '../server/modules/broadcasts/service.ts';
import type { JobProducer } from '../worker/jobs/producer.ts';

export async function airDemoTestTones(deps: {
  db: DbClient;
  store: MediaStore;
  jobs: JobProducer;
  logger: Logger;
}): Promise<void> {
  const targets = await demoAiringTargets(deps.db);
  if (!targets) return;
  const actor: Actor = {
    userId: targets.adminId,
    username: 'admin',
    displayName: 'Loa',
    via: 'session',
    assignments: [{ role: 'ADMIN', province: null, communeId: null }],
  };
  const service = broadcastService(deps);
  for (const clusterId of targets.clusterIds) {
    await service.airTestTone(clusterId, {
      actor,
      origin: { ip: '', userAgent: 'loa start (demo test tone)' },
    });
  }
  deps.logger.info(
    { module: 'demo', clusters: targets.clusterIds.length },
    'demo test tone sent to the demo clusters',
  );
}
