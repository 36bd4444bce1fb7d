// Redis connections, one per role, as BullMQ advises: workers wait and retry forever;
// producers (the API) wait a bounded time, so a Redis restart delays requests rather than
// failing them, and a Redis that stays down turns into errors (503) instead of hangs.
// Once the process is shutting down, no connection reconnects: a Redis that goes away then
// ends the connection (its pending commands fail) instead of being retried while closing.
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker' | 'probe';

let shuttingDown = false;

/** From now on, a dropped connection is not retried (every connection of this process). */
export function stopRedisRetries(): void {
  shuttingDown = true;
}

/** Reconnect with a capped backoff; never give up while running (Redis may come back). */
export function retryDelay(times: number): number | null {
  return shuttingDown ? null : Math.min(times * 200, 5000);
}

export function openRedis(url: string, role: RedisRole): Redis {
  const options: RedisOptions = {
    connectionName: `loa-${role}`,
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, commandTimeout: 2000, connectTimeout: 2000 }),
    // Copied by `duplicate()`, so BullMQ's own connections stop retrying too.
    retryStrategy: retryDelay,
  };
  const redis = new Redis(url, options);
  // Without a listener, ioredis reports connection errors as unhandled.
  redis.on('error', () => {});
  return redis;
}
