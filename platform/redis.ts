// Redis connections, one per role, as BullMQ advises: workers wait and retry forever;
// producers (the API) wait a bounded time, so a Redis restart delays requests rather than
// failing them, and a Redis that stays down turns into errors (503) instead of hangs.
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker' | 'probe';

export function openRedis(url: string, role: RedisRole): Redis {
  const options: RedisOptions = {
    connectionName: `loa-${role}`,
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, commandTimeout: 2000, connectTimeout: 2000 }),
    // Reconnect with a capped backoff; never give up (Redis may come back).
    retryStrategy: (times) => Math.min(times * 200, 5000),
  };
  const redis = new Redis(url, options);
  // Without a listener, ioredis reports connection errors as unhandled.
  redis.on('error', () => {});
  return redis;
}
