// A broadcast row as a driver's airing request: files resolved under the media directory, the
// cluster's config, the profile the plan was made for.
import { findProfile } from '../../media/profiles.ts';
import type { MediaStore } from '../../media/store.ts';
import type { DueBroadcast } from '../../prisma/repositories/broadcasts.ts';
import type { AiringRequest, Driver } from '../drivers/driver.ts';

export function toAiringRequest(
  b: DueBroadcast,
  driver: Driver,
  store: MediaStore,
  startAt: number,
): AiringRequest {
  return {
    broadcastId: b.id,
    clusterId: b.clusterId,
    startAt,
    priority: b.priority,
    profile: findProfile(b.profileId),
    config: driver.parseConfig(b.cluster.driverConfig),
    items: b.plan.items.map((item) => ({
      bulletinId: item.bulletinId,
      renditionId: item.renditionId,
      path: store.resolveRelative(item.path),
      sha256: item.sha256,
      bytes: item.bytes,
      durationSec: item.durationSec,
      segments: item.segments,
      ...(item.gapBeforeSec ? { gapBeforeSec: item.gapBeforeSec } : {}),
    })),
  };
}
