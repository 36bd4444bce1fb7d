// A small dispatch world: PGlite migrated, one commune with recorder clusters, one WAV L16
// rendition in a media directory, and the engine's dependencies with a short lateness limit.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSpeechLike } from '../../../media/fixtures.ts';
import { probeMedia } from '../../../media/probe.ts';
import { MediaStore } from '../../../media/store.ts';
import { loadConfig } from '../../../platform/config.ts';
import { createLogger } from '../../../platform/logger.ts';
import { createDispatchDeps } from '../../../worker/dispatch/context.ts';
import type { DispatchDeps } from '../../../worker/dispatch/deps.ts';
import { createDrivers } from '../../../worker/drivers/registry.ts';
import { pgliteKind, type TestDatabaseKind } from '../../setup/databases.ts';

export interface DispatchWorld {
  db: Awaited<ReturnType<typeof pgliteKind.open>>;
  deps: DispatchDeps;
  dataDir: string;
  communeId: string;
  clusterIds: string[];
  rendition: { path: string; durationSec: number; bytes: number };
  recordingOf(broadcastId: string): string;
  close(): Promise<void>;
}

export async function dispatchWorld(options: {
  clusters: number;
  audioSec: number;
  maxLateSec?: number;
  /** PGlite unless given (the fault suite's worker processes need a PostgreSQL server). */
  database?: TestDatabaseKind;
}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'loa-dispatch-'));
  const config = loadConfig({
    LOA_DATA_DIR: dataDir,
    LOA_DISPATCH_MAX_LATE_SEC: String(options.maxLateSec ?? 2),
    LOG_LEVEL: 'silent',
  });
  const store = new MediaStore(config.mediaDir);
  const relative = 'renditions/test/1/programme.wav';
  const file = store.resolveRelative(relative);
  await mkdir(join(file, '..'), { recursive: true });
  await generateSpeechLike(file, {
    durationSec: options.audioSec,
    sampleRate: 16000,
    channels: 1,
    container: 'wav',
  });
  const info = await probeMedia(file);
  const db = await (options.database ?? pgliteKind).openMigrated();
  const commune = await db.prisma.commune.create({
    data: { code: 'DSP', name: 'Xã Phát', province: 'Lai Châu', languages: ['vie'] },
  });
  const clusterIds: string[] = [];
  for (let i = 0; i < options.clusters; i++) {
    const cluster = await db.prisma.cluster.create({ data: { communeId: commune.id, name: `Cụm ${i + 1}` } });
    clusterIds.push(cluster.id);
  }
  const logger = createLogger('silent');
  const deps = createDispatchDeps({ config, db: db.prisma, store, logger, drivers: createDrivers(config) });
  deps.retryMs = 100;
  const world: DispatchWorld = {
    db,
    deps,
    dataDir,
    communeId: commune.id,
    clusterIds,
    rendition: {
      path: relative,
      durationSec: info.durationSec ?? options.audioSec,
      bytes: (await stat(file)).size,
    },
    recordingOf: (id) => join(config.mediaDir, 'recordings', `${id}.wav`),
    close: async () => {
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

/** A planned broadcast row of `world`'s rendition on one cluster, due at `at`. */
export function plannedRow(
  world: DispatchWorld,
  clusterId: string,
  at: Date,
  extra: {
    priority?: 'NORMAL' | 'PRIORITY' | 'EMERGENCY';
    slotId?: string;
    kind?: 'SLOT' | 'EMERGENCY';
  } = {},
) {
  const { rendition } = world;
  return {
    kind: extra.kind ?? 'SLOT',
    communeId: world.communeId,
    clusterId,
    slotId: extra.slotId ?? null,
    scheduledAt: at,
    priority: extra.priority ?? 'NORMAL',
    profileId: 'wav-l16',
    driverKind: 'RECORDER',
    durationSec: rendition.durationSec,
    plan: {
      items: [
        {
          bulletinId: '00000000-0000-4000-8000-000000000001',
          renditionId: '00000000-0000-4000-8000-000000000002',
          path: rendition.path,
          sha256: 'a'.repeat(64),
          bytes: rendition.bytes,
          durationSec: rendition.durationSec,
          segments: [{ kind: 'language', language: 'vie', startSec: 0, durationSec: rendition.durationSec }],
        },
      ],
    },
  } as const;
}
