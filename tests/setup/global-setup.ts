// One private redis-server for the whole run (each test file uses its own key prefix), one
// migrated PGlite data directory every database test loads (pglite-snapshot.ts), and the web
// app built once so the browser and `npm start` tests do not race to build it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { WEB_DIST } from '../../platform/paths.ts';
import { startRedisChild } from '../../scripts/redis-child.ts';
import { buildWeb, webBuildIsStale } from '../../scripts/web-build.ts';
import { writeMigratedSnapshot } from './pglite-snapshot.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'loa-test-redis-'));
  const snapshotDir = await mkdtemp(join(tmpdir(), 'loa-test-pglite-'));
  const [redis, snapshot] = await Promise.all([
    startRedisChild(dir, { aof: false }),
    // Migrations that do not apply fail the database tests (each migrates for itself), not the run.
    writeMigratedSnapshot(snapshotDir).catch((err) => {
      console.error(`migrated PGlite snapshot failed: ${(err as Error).message}`);
      return '';
    }),
  ]);
  project.provide('redisUrl', redis.url);
  project.provide('pgliteSnapshot', snapshot);
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
