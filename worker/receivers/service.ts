// The 4G receivers' side of a worker process: its broker connection (receipts, heartbeats, time
// answers) and the MQTT driver built on it. Without LOA_MQTT_URL there is neither.
import type { Config } from '../../platform/config.ts';
import { publicUrl } from '../../platform/config.ts';
import type { Logger } from '../../platform/logger.ts';
import { LOA_BROKER_USER, loaBrokerPassword } from '../../platform/receiver-secrets.ts';
import { serverSecret } from '../../platform/secret.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { MqttDriver } from '../drivers/mqtt.ts';
import { ReceiverLink } from './link.ts';
import { recordHeartbeat, recordReceipt } from './receipts.ts';

export interface Receivers {
  driver: MqttDriver;
  link: ReceiverLink;
  close(): Promise<void>;
}

export async function startReceivers(options: {
  config: Config;
  db: DbClient;
  logger: Logger;
  now(): number;
  /** Tests: a faster poll, a shorter wait for the last receipt. */
  driver?: { pollMs?: number; receiptGraceMs?: number };
}): Promise<Receivers | null> {
  const { config, db, logger, now } = options;
  if (!config.LOA_MQTT_URL) return null;
  const secret = await serverSecret(config);
  const link = ReceiverLink.open({
    url: config.LOA_MQTT_URL,
    username: LOA_BROKER_USER,
    password: config.LOA_MQTT_PASSWORD ?? loaBrokerPassword(secret),
    logger,
    now,
    onReceipt: (clusterId, receipt) => recordReceipt(db, clusterId, receipt, now()),
    onHeartbeat: (clusterId, beat) => recordHeartbeat(db, clusterId, beat, now()),
  });
  const driver = new MqttDriver({
    link: () => link,
    db,
    secret,
    publicUrl: publicUrl(config),
    maxLateMs: config.LOA_DISPATCH_MAX_LATE_SEC * 1000,
    now,
    ...options.driver,
  });
  return { driver, link, close: () => link.close() };
}
