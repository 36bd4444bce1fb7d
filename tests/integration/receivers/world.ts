// A 4G receivers world: PGlite migrated with a commune of MQTT clusters, an MP3 rendition, a
// private mosquitto (its own port, password file and ACL), the media route of the API on
// loopback, proxies standing for the receivers' weak links (to the broker and to the media),
// a worker's receiver link and MQTT driver, and reference receivers that play to files.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { ReceiverClock } from '../../../cli/receiver/clock.ts';
import { FilePlayer } from '../../../cli/receiver/players.ts';
import { Receiver } from '../../../cli/receiver/receiver.ts';
import { FileState } from '../../../cli/receiver/state.ts';
import { MediaStore } from '../../../media/store.ts';
import { loadConfig } from '../../../platform/config.ts';
import { createLogger } from '../../../platform/logger.ts';
import { LOA_BROKER_USER, loaBrokerPassword, receiverPassword } from '../../../platform/receiver-secrets.ts';
import { type MosquittoChild, startMosquittoChild } from '../../../scripts/mosquitto-child.ts';
import { problemHandler } from '../../../server/http/problem.ts';
import { mountRoutes } from '../../../server/http/router.ts';
import { receiverRoutes } from '../../../server/modules/receivers/routes.ts';
import { createDispatchDeps } from '../../../worker/dispatch/context.ts';
import type { DispatchDeps } from '../../../worker/dispatch/deps.ts';
import { createDrivers } from '../../../worker/drivers/registry.ts';
import { type Receivers, startReceivers } from '../../../worker/receivers/service.ts';
import { pgliteKind } from '../../setup/databases.ts';
import { makeRendition } from '../drivers/renditions.ts';
import { LinkProxy } from './link-proxy.ts';

export const SECRET = 'receivers-test-secret-0123456789abcdef';

export interface ReceiversWorld {
  db: Awaited<ReturnType<typeof pgliteKind.open>>;
  deps: DispatchDeps;
  receivers: Receivers;
  broker: MosquittoChild;
  brokerLink: LinkProxy;
  mediaLink: LinkProxy;
  dir: string;
  store: MediaStore;
  communeId: string;
  clusterIds: string[];
  rendition: { path: string; absolute: string; durationSec: number; bytes: number; sha256: string };
  receiver(clusterId: string, options?: { clockErrorMs?: number; name?: string }): Receiver;
  /** True (this machine's) time each receiver started each broadcast. */
  trueStarts: Map<string, number>;
  outOf(name: string): string;
  close(): Promise<void>;
}

export async function receiversWorld(options: {
  clusters: number;
  audioSec: number;
}): Promise<ReceiversWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-receivers-'));
  const db = await pgliteKind.openMigrated();
  const commune = await db.prisma.commune.create({
    data: { code: 'RCV', name: 'Xã Thu', province: 'Lai Châu', languages: ['vie'] },
  });
  const clusterIds: string[] = [];
  for (let i = 0; i < options.clusters; i++) {
    const c = await db.prisma.cluster.create({
      data: { communeId: commune.id, name: `Cụm 4G ${i + 1}`, driverKind: 'MQTT', driverConfig: {} },
    });
    clusterIds.push(c.id);
  }
  const broker = await startMosquittoChild(join(dir, 'broker'), {
    logins: [
      { username: LOA_BROKER_USER, password: loaBrokerPassword(SECRET) },
      ...clusterIds.map((id) => ({ username: id, password: receiverPassword(SECRET, id) })),
    ],
  });
  const brokerLink = await new LinkProxy({ host: '127.0.0.1', port: broker.port }).listen();

  const store = new MediaStore(join(dir, 'media'));
  const relative = 'renditions/test/1/programme.mp3';
  const absolute = store.resolveRelative(relative);
  await mkdir(join(absolute, '..'), { recursive: true });
  const made = await makeRendition(join(absolute, '..'), 'mp3-24k', options.audioSec);
  await rm(absolute, { force: true });
  await rename(made, absolute);
  const bytes = await readFile(absolute);

  const app = express();
  mountRoutes(app, receiverRoutes({ db: db.prisma, store, secret: SECRET }), {
    authenticate: async () => null,
    csrfValid: () => true,
  });
  app.use(problemHandler(createLogger('silent')));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const mediaLink = await new LinkProxy({
    host: '127.0.0.1',
    port: (server.address() as { port: number }).port,
  }).listen();

  const config = loadConfig({
    LOA_DATA_DIR: dir,
    LOA_SECRET: SECRET,
    LOA_MQTT_URL: broker.url,
    LOA_PUBLIC_URL: `http://127.0.0.1:${mediaLink.port}`,
    LOA_DISPATCH_MAX_LATE_SEC: '5',
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger('silent');
  const receivers = await startReceivers({
    config,
    db: db.prisma,
    logger,
    now: () => Date.now(),
    driver: { pollMs: 250, receiptGraceMs: 20_000 },
  });
  if (!receivers) throw new Error('no receivers');
  await receivers.link.connectedWithin(5_000);
  const deps = createDispatchDeps({
    config,
    db: db.prisma,
    store,
    logger,
    drivers: createDrivers(config, [receivers.driver]),
  });
  deps.retryMs = 100;
  const started: Receiver[] = [];
  const outOf = (name: string) => join(dir, 'out', name);
  const trueStarts = new Map<string, number>();
  return {
    db,
    deps,
    receivers,
    broker,
    brokerLink,
    mediaLink,
    dir,
    store,
    communeId: commune.id,
    clusterIds,
    rendition: {
      path: relative,
      absolute,
      durationSec: options.audioSec,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
    outOf,
    trueStarts,
    receiver(clusterId, o = {}) {
      const name = o.name ?? clusterId;
      const stateDir = join(dir, 'rx', name);
      const error = o.clockErrorMs ?? 0;
      const r = new Receiver({
        clusterId,
        brokerUrl: `mqtt://127.0.0.1:${brokerLink.port}`,
        password: receiverPassword(SECRET, clusterId),
        player: new FilePlayer(outOf(name)),
        state: new FileStateIn(stateDir),
        mediaDir: stateDir,
        clock: new ReceiverClock(() => performance.timeOrigin + performance.now() + error),
        heartbeatMs: 500,
        resendMs: 500,
        timeSyncMs: 1_000,
        reconnectMs: 200,
        onStart: (id) => trueStarts.set(id, performance.timeOrigin + performance.now()),
      });
      started.push(r);
      r.start();
      return r;
    },
    close: async () => {
      await Promise.all(started.map((r) => r.stop()));
      await receivers.close();
      await brokerLink.close();
      await mediaLink.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await broker.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A FileState whose directory exists. */
class FileStateIn extends FileState {
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    super(join(dir, 'state.json'));
  }
}

/** A planned MQTT broadcast of the world's rendition on one cluster, due at `at`. */
export function mqttRow(
  world: ReceiversWorld,
  clusterId: string,
  at: Date,
  extra: { priority?: 'NORMAL' | 'PRIORITY' | 'EMERGENCY'; sha256?: string } = {},
) {
  const { rendition } = world;
  return {
    kind: extra.priority === 'EMERGENCY' ? 'EMERGENCY' : 'SLOT',
    communeId: world.communeId,
    clusterId,
    scheduledAt: at,
    priority: extra.priority ?? 'NORMAL',
    profileId: 'mp3-24k',
    driverKind: 'MQTT',
    durationSec: rendition.durationSec,
    plan: {
      items: [
        {
          bulletinId: '00000000-0000-4000-8000-000000000001',
          renditionId: '00000000-0000-4000-8000-000000000002',
          path: rendition.path,
          sha256: extra.sha256 ?? rendition.sha256,
          bytes: rendition.bytes,
          durationSec: rendition.durationSec,
          segments: [{ kind: 'language', language: 'vie', startSec: 0, durationSec: rendition.durationSec }],
        },
      ],
    },
  } as const;
}

/** Polls `read` every 50 ms until `ok` holds, at most `ms`. */
export async function until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
