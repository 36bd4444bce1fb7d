// `loa receiver run`: the reference 4G receiver. Plays its cluster's broadcasts to a file
// directory (`--out <dir>`) or a sound device through ffmpeg (`--out alsa:default`), keeps its
// state in `--state <dir>` so a restart loses no receipt, runs until Ctrl-C.
// `loa receiver password`: a receiver's broker password when its cluster config sets none.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.ts';
import { receiverPassword } from '../platform/receiver-secrets.ts';
import { serverSecret } from '../platform/secret.ts';
import type { CommandGroup } from './command.ts';
import { UsageError } from './command.ts';
import { DevicePlayer, FilePlayer, type Player } from './receiver/players.ts';
import { Receiver } from './receiver/receiver.ts';
import { FileState } from './receiver/state.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function playerFor(out: string): Player {
  const device = /^(alsa|pulse):(.+)$/.exec(out);
  if (device) return new DevicePlayer(device[1] as 'alsa' | 'pulse', device[2] as string);
  return new FilePlayer(resolve(out));
}

async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      cluster: { type: 'string' },
      broker: { type: 'string' },
      password: { type: 'string' },
      out: { type: 'string' },
      state: { type: 'string' },
    },
    strict: true,
  });
  if (!values.cluster || !UUID.test(values.cluster))
    throw new UsageError('--cluster <cluster id> is required');
  if (!values.broker || !/^mqtts?:\/\//.test(values.broker))
    throw new UsageError('--broker mqtt://host:port is required');
  if (!values.out) throw new UsageError('--out <dir> or --out alsa:<device> is required');
  const password = values.password ?? process.env.LOA_RECEIVER_PASSWORD;
  if (!password) throw new UsageError('--password or LOA_RECEIVER_PASSWORD is required');
  const stateDir = resolve(values.state ?? `receiver-${values.cluster}`);
  await mkdir(join(stateDir, 'media'), { recursive: true });
  const receiver = new Receiver({
    clusterId: values.cluster,
    brokerUrl: values.broker,
    password,
    player: playerFor(values.out),
    state: new FileState(join(stateDir, 'state.json')),
    mediaDir: join(stateDir, 'media'),
    log: (message, extra) => process.stderr.write(`${JSON.stringify({ message, ...extra })}\n`),
  });
  receiver.start();
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await receiver.stop();
  return { stopped: true, pendingReceipts: receiver.pending.length };
}

async function password(args: string[]) {
  const { values } = parseArgs({ args, options: { cluster: { type: 'string' } }, strict: true });
  if (!values.cluster || !UUID.test(values.cluster))
    throw new UsageError('--cluster <cluster id> is required');
  const secret = await serverSecret(loadConfig());
  return { username: values.cluster, password: receiverPassword(secret, values.cluster) };
}

export const receiverCommands: CommandGroup = {
  summary: 'the reference 4G receiver (MQTT store-and-forward)',
  usage: [
    'receiver run --cluster <id> --broker mqtt://host:port [--password <p>] --out <dir>|alsa:<device> [--state <dir>]',
    'receiver password --cluster <id>',
  ],
  commands: { run, password },
};
