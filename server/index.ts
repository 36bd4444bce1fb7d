// The API alone, for deployments that run API and workers as separate processes
// (docker-compose.yml). Needs DATABASE_URL and REDIS_URL: an embedded PGlite belongs to one
// process, so the all-in-one `npm start` is the way to run on embedded defaults.

import { requireServices } from '../platform/entrypoint.ts';
import { WEB_DIST } from '../platform/paths.ts';
import { openDatabase } from '../prisma/database.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { composeApp } from './compose.ts';
import { serve } from './http/serve.ts';

const { config, logger, databaseUrl, redisUrl, onShutdown } = requireServices('api');
const database = await openDatabase({ kind: 'postgres', url: databaseUrl });
await applyMigrations(database.adapterFactory);
const { app, close } = await composeApp(config, logger, database, redisUrl, WEB_DIST);
const server = await serve(app, config.PORT, config.HOST);
logger.info({ port: config.PORT, host: config.HOST }, 'API listening');
onShutdown(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  await close();
  await database.close();
});
