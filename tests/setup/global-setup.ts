// One private redis-server for the whole run (each test file uses its own key prefix), and
// the web app built once so `npm start` tests do not race to build it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRedisChild } from '../../scripts/redis-child.ts';
import { buildWeb, webBuildIsStale } from '../../scripts/web-build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'loa-test-redis-'));
  const redis = await startRedisChild(dir, { aof: false });
  project.provide('redisUrl', redis.url);
  if (webBuildIsStale()) await buildWeb();
  return async () => {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
