// The API alone, for deployments that run API and workers as separate processes
// (docker-compose.yml). Needs DATABASE_URL and REDIS_URL: an embedded PGlite belongs to one
// process, so the all-in-one `npm start` is the way to run on embedded defaults.
import type { Server } from 'node:http';
import { toolVersion } from '../media/ffmpeg-version.ts';
import { openDatabase } from '../prisma/database.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { createApp } from './app.ts';
import { requireServices } from './entrypoint.ts';
import { openRedis } from './redis.ts';
import { WEB_DIST } from './runtime.ts';

const { config, logger, databaseUrl, redisUrl, onShutdown } = requireServices('api');
const database = await openDatabase({ kind: 'postgres', url: databaseUrl });
await applyMigrations(database.adapterFactory);
const probe = openRedis(redisUrl, 'probe');
const app = createApp({
  logger,
  webDist: WEB_DIST,
  readinessChecks: {
    database: () => database.prisma.$queryRaw`SELECT 1`,
    redis: () => probe.ping(),
    ffmpeg: () => Promise.all([toolVersion('ffmpeg'), toolVersion('ffprobe')]),
  },
});
const server: Server = app.listen(config.PORT, config.HOST, () =>
  logger.info({ port: config.PORT, host: config.HOST }, 'API listening'),
);
onShutdown(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  probe.disconnect();
  await database.close();
});
