// Workers alone (WORKER_QUEUES chooses the queues), for deployments with separate processes.

import { requireServices } from '../platform/entrypoint.ts';
import { openRedis } from '../platform/redis.ts';
import { openDatabase } from '../prisma/database.ts';
import { startWorkers } from './main.ts';

const { config, logger, databaseUrl, redisUrl, onShutdown } = requireServices('worker');
const database = await openDatabase({ kind: 'postgres', url: databaseUrl });
const connection = openRedis(redisUrl, 'worker');
const workers = await startWorkers({ config, logger, db: database.prisma }, connection, config.WORKER_QUEUES);
onShutdown(async () => {
  await workers.close();
  connection.disconnect();
  await database.close();
});
