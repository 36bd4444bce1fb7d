// Shared start-up of the stand-alone API and worker processes.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';

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
    let stopping = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
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
