// One private redis-server for the whole run (each test file uses its own key prefix), a
// folder for the migrated PGlite every database test loads (pglite-snapshot.ts), and the web
// app built once so the browser and `npm start` tests do not race to build it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { WEB_DIST } from '../../platform/paths.ts';
import { startRedisChild } from '../../scripts/redis-child.ts';
import { buildWeb, webBuildIsStale } from '../../scripts/web-build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** The run's folder for the migrated PGlite (pglite-snapshot.ts), made by the first test needing it. */
    pgliteSnapshotDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'loa-test-redis-'));
  const snapshotDir = await mkdtemp(join(tmpdir(), 'loa-test-pglite-'));
  const redis = await startRedisChild(dir, { aof: false });
  project.provide('redisUrl', redis.url);
  project.provide('pgliteSnapshotDir', snapshotDir);
  if (webBuildIsStale()) {
    // A web app that does not build fails the browser tests (no web/dist), not the others.
    await buildWeb().catch(async (err) => {
      console.error(`web build failed: ${(err as Error).message}`);
      await rm(WEB_DIST, { recursive: true, force: true });
    });
  }
  return async () => {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(snapshotDir, { recursive: true, force: true });
  };
}
