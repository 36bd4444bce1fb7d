// The private broker of `npm start` (no LOA_MQTT_URL): mosquitto on HOST, on LOA_MQTT_PORT or a
// free port, with a login per enabled MQTT cluster (its config's password, or the one derived
// from the secret: `loa receiver password`) and Loa's own. Logins follow the clusters: re-read
// every 30 s and the broker reloaded when they changed.
import { join } from 'node:path';
import { writeBrokerAuth } from '../platform/broker-files.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { LOA_BROKER_USER, loaBrokerPassword, receiverPassword } from '../platform/receiver-secrets.ts';
import { serverSecret } from '../platform/secret.ts';
import type { DbClient } from '../prisma/repositories/db.ts';
import { receiverClusters } from '../prisma/repositories/receivers.ts';
import { startMosquittoChild } from './mosquitto-child.ts';

const REFRESH_MS = 30_000;

export async function startPrivateBroker(config: Config, db: DbClient, logger: Logger) {
  const secret = await serverSecret(config);
  const logins = async () => [
    { username: LOA_BROKER_USER, password: config.LOA_MQTT_PASSWORD ?? loaBrokerPassword(secret) },
    ...(await receiverClusters(db)).map((c) => {
      const own = (c.driverConfig as { password?: unknown } | null)?.password;
      return { username: c.id, password: typeof own === 'string' ? own : receiverPassword(secret, c.id) };
    }),
  ];
  const dir = join(config.dataDir, 'mosquitto');
  let current = await logins();
  const child = await startMosquittoChild(dir, {
    host: config.HOST,
    ...(config.LOA_MQTT_PORT ? { port: config.LOA_MQTT_PORT } : {}),
    logins: current,
  });
  const refresh = setInterval(async () => {
    try {
      const next = await logins();
      if (JSON.stringify(next) === JSON.stringify(current)) return;
      current = next;
      await writeBrokerAuth(dir, next);
      child.reload();
    } catch (err) {
      logger.warn({ module: 'mqtt', err: (err as Error).message }, 'broker logins not refreshed');
    }
  }, REFRESH_MS);
  refresh.unref();
  return {
    url: child.url,
    port: child.port,
    process: child.process,
    stop: async () => {
      clearInterval(refresh);
      await child.stop();
    },
  };
}
