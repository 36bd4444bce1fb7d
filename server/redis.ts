// Redis connections, one per role, as BullMQ advises: producers fail fast when Redis is down
// (the API answers 503 rather than hanging), workers wait and retry forever.
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker' | 'probe';

export function openRedis(url: string, role: RedisRole): Redis {
  const options: RedisOptions = {
    connectionName: `loa-${role}`,
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }),
    // Reconnect with a capped backoff; never give up (Redis may come back).
    retryStrategy: (times) => Math.min(times * 200, 5000),
  };
  const redis = new Redis(url, options);
  // Without a listener, ioredis reports connection errors as unhandled.
  redis.on('error', () => {});
  return redis;
}
