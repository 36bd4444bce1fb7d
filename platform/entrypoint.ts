// Shared start-up of the stand-alone API and worker processes.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { stopRedisRetries } from './redis.ts';

/** A stop that takes longer ends the process anyway. */
const STOP_GRACE_MS = 10_000;
/** Copies of one signal (a process group's Ctrl-C passed on by npm) arrive this close together. */
const SAME_STOP_MS = 1_000;

export function requireServices(processName: 'api' | 'worker') {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  const { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl } = config;
  if (!databaseUrl || !redisUrl) {
    console.error(
      `The ${processName} process alone needs DATABASE_URL and REDIS_URL. ` +
        'To run everything on embedded defaults, use `npm start`.',
    );
    process.exit(2);
  }
  const logger: Logger = createLogger(config.LOG_LEVEL, { process: processName });
  const onShutdown = (stop: () => Promise<void>) => {
    let stoppingAt: number | undefined;
    const atOnce = (why: string) => {
      logger.warn({ why }, 'stopping at once');
      process.exit(130);
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stoppingAt !== undefined) {
          // A second signal, not a copy of the first: end now.
          if (Date.now() - stoppingAt > SAME_STOP_MS) atOnce(`${signal} again`);
          return;
        }
        stoppingAt = Date.now();
        logger.info({ signal }, 'shutting down');
        stopRedisRetries();
        setTimeout(() => atOnce(`not stopped within ${STOP_GRACE_MS / 1000} s`), STOP_GRACE_MS).unref();
        stop().then(
          () => process.exit(0),
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  };
  return { config, logger, databaseUrl, redisUrl, onShutdown };
}
