/**
 * The simulated 4G receivers of the `### Receivers` benchmark, in a process of their own so the
 * broker side's work does not land on their timers: reference receivers (cli/receiver) with a
 * silent player, in-memory state and each its own clock error. Reads one JSON line (the
 * receivers), prints `ready` once every receiver has a clock offset, then on `report` prints the
 * true time (this machine's clock) each receiver started each broadcast, and on `end` exits.
 */
import { createInterface } from 'node:readline';
import { ReceiverClock } from '../../cli/receiver/clock.ts';
import { SilentPlayer } from '../../cli/receiver/players.ts';
import { Receiver } from '../../cli/receiver/receiver.ts';
import { MemoryState } from '../../cli/receiver/state.ts';

interface Setup {
  brokerUrl: string;
  naive: boolean;
  receivers: { clusterId: string; password: string; clockErrorMs: number }[];
}

const lines = createInterface({ input: process.stdin });
const starts: {
  clusterId: string;
  broadcastId: string;
  at: number;
  corrected: number;
  rttMs: number | null;
}[] = [];
/** When each receiver had the audio and its start armed (true time). */
const readies: { clusterId: string; broadcastId: string; at: number }[] = [];
const receivers: Receiver[] = [];
const errors: number[] = [];

for await (const line of lines) {
  if (line === 'report') console.log(JSON.stringify({ starts, readies }));
  else if (line === 'end') break;
  else await setUp(JSON.parse(line) as Setup);
}
await Promise.all(receivers.map((r) => r.stop()));
process.exit(0);

async function setUp(setup: Setup): Promise<void> {
  for (const r of setup.receivers) {
    const receiver = new Receiver({
      clusterId: r.clusterId,
      brokerUrl: setup.brokerUrl,
      password: r.password,
      player: new SilentPlayer(),
      state: new MemoryState(),
      mediaDir: null,
      naive: setup.naive,
      clock: new ReceiverClock(() => Date.now() + r.clockErrorMs),
      reconnectMs: 1_000,
      heartbeatMs: 30_000,
      timeSyncMs: 20_000,
      onStart: (broadcastId, corrected) =>
        starts.push({
          clusterId: r.clusterId,
          broadcastId,
          at: Date.now(),
          corrected,
          rttMs: receiver.clock.rttMs,
        }),
      onReady: (broadcastId) => readies.push({ clusterId: r.clusterId, broadcastId, at: Date.now() }),
    });
    receivers.push(receiver);
    errors.push(r.clockErrorMs);
    receiver.start();
    // Not all at once: a thousand TLS-less logins still queue on the broker.
    await new Promise((done) => setTimeout(done, 3));
  }
  // Ready once every receiver has measured its offset (a few exchanges over the slow link).
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && receivers.some((r) => r.clock.offsetMs === null)) {
    await new Promise((done) => setTimeout(done, 200));
  }
  const unsynced = receivers.filter((r) => r.clock.offsetMs === null).length;
  // How far each measured offset is from the clock's true error.
  const offsetErrors = receivers.map((r, n) => (r.clock.offsetMs ?? Number.NaN) - (errors[n] ?? 0));
  console.log(
    JSON.stringify({ ready: true, unsynced, offsetErrors, rtts: receivers.map((r) => r.clock.rttMs) }),
  );
}
