// The API's dependencies, wired from configuration: shared by `npm start` (runtime.ts) and
// the stand-alone API process (index.ts).
import type { Redis } from 'ioredis';
import { toolVersion } from '../media/ffmpeg-runner.ts';
import { MediaStore } from '../media/store.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { openRedis } from '../platform/redis.ts';
import { serverSecret } from '../platform/secret.ts';
import type { Database } from '../prisma/database.ts';
import { pingDatabase } from '../prisma/repositories/readiness.ts';
import { createJobProducer } from '../worker/jobs/producer.ts';
import { createApp, type LoaApp } from './app.ts';
import { ProgressFeed } from './modules/bulletins/progress-feed.ts';

export async function composeApp(
  config: Config,
  logger: Logger,
  database: Database,
  redisUrl: string,
  webDist?: string,
): Promise<{ app: LoaApp; close(): Promise<void> }> {
  const redis: Redis = openRedis(redisUrl, 'producer');
  const jobs = createJobProducer(openRedis(redisUrl, 'producer'), config.REDIS_PREFIX);
  const feed = new ProgressFeed(() => openRedis(redisUrl, 'worker'), config.REDIS_PREFIX);
  const app = createApp({
    logger,
    db: database.prisma,
    redis,
    redisPrefix: config.REDIS_PREFIX,
    secret: await serverSecret(config),
    sessionTtlMs: config.LOA_SESSION_HOURS * 3600_000,
    webDist,
    store: new MediaStore(config.mediaDir),
    jobs,
    feed,
    limits: limitsOf(config),
    readinessChecks: {
      database: () => pingDatabase(database.prisma),
      redis: () => redis.ping(),
      ffmpeg: () => Promise.all([toolVersion('ffmpeg'), toolVersion('ffprobe')]),
    },
  });
  return {
    app,
    close: async () => {
      await feed.close();
      await jobs.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export function limitsOf(config: Config) {
  return { maxUploadBytes: config.LOA_UPLOAD_MAX_MB * 1e6, maxAudioSec: config.LOA_AUDIO_MAX_MINUTES * 60 };
}
