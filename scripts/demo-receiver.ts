// The demo's simulated 4G receiver: the reference receiver (cli/receiver) run inside `npm start`
// for the demo 4G cluster, on the private broker, fetching media from Loa's own API like a real
// device would. It "plays" to files: `<LOA_DATA_DIR>/receivers/<cluster id>/<broadcast id>.mp3`
// is what it aired; its state and downloads sit beside them, so a restart loses no receipt.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FilePlayer } from '../cli/receiver/players.ts';
import { Receiver } from '../cli/receiver/receiver.ts';
import { FileState } from '../cli/receiver/state.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import { receiverPassword } from '../platform/receiver-secrets.ts';
import { serverSecret } from '../platform/secret.ts';

export async function startDemoReceiver(
  config: Config,
  clusterId: string,
  brokerUrl: string,
  logger: Logger,
): Promise<Receiver> {
  const dir = join(config.dataDir, 'receivers', clusterId);
  await mkdir(join(dir, 'media'), { recursive: true });
  const receiver = new Receiver({
    clusterId,
    brokerUrl,
    // The demo cluster sets no password of its own: the broker knows the derived one.
    password: receiverPassword(await serverSecret(config), clusterId),
    player: new FilePlayer(dir),
    state: new FileState(join(dir, 'state.json')),
    mediaDir: join(dir, 'media'),
    onStart: (broadcastId) =>
      logger.info({ module: 'demo', clusterId, broadcastId }, 'simulated 4G receiver started airing'),
    log: (message, extra) => logger.debug({ module: 'demo-receiver', clusterId, ...extra }, message),
  });
  receiver.start();
  return receiver;
}
