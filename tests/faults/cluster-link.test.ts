// Fault: the link to an HTTP push cluster (Axis-like device emulator) degraded by a loopback proxy,
// five clusters airing at one instant through the real dispatch engine:
// - unreachable for good: retried with backoff, then missed (cluster-offline) within the lateness limit;
// - unreachable until 0.5 s after the instant: a retry gets through, it airs whole, late, once;
// - cut mid-stream: partial (connection-dropped) with the seconds the device received, give or
//   take what was in flight when the cut was seen (inFlightSec below);
// - slow (300 ms each way): aired whole, reaching the device late by the link's delay; Loa's
//   skew is its own send time (HTTP push has no way to see the link's delay);
// - throttled to 3/4 of the stream's rate: Loa keeps real-time pacing (it never waits for the
//   link), the device falls behind (its buffer runs dry), and the row says aired with the device's
//   answer: what README › Guarantees states.
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airBroadcasts } from '../../worker/dispatch/engine.ts';
import { type DispatchWorld, dispatchWorld, plannedRow } from '../integration/dispatch/world.ts';
import { type AxisEmulator, startAxisEmulator } from '../integration/drivers/axis-emulator.ts';
import { makeRendition } from '../integration/drivers/renditions.ts';
import { ClusterLink } from './support/link-proxy.ts';
import { until } from './support/processes.ts';

const SECONDS = 3;
const MAX_LATE_SEC = 3;
const BYTES_PER_SEC = 8000; // audio/basic: µ-law 8 kHz
const DELAY_MS = 300;
const RECOVERS_AFTER_MS = 500;
/** Loa's start skew (first bytes written − instant), as the HTTP push tests state it. */
const START_PRECISION_MS = 50;
const credentials = { username: 'root', password: 'mật-khẩu' };

let world: DispatchWorld;
let dir: string;
const emulators: AxisEmulator[] = [];
const links: ClusterLink[] = [];

beforeAll(async () => {
  world = await dispatchWorld({ clusters: 0, audioSec: 1, maxLateSec: MAX_LATE_SEC });
  dir = await mkdtemp(join(tmpdir(), 'loa-faults-link-'));
});
afterAll(async () => {
  await Promise.all([...links, ...emulators].map((x) => x.close()));
  await world?.close();
  await rm(dir, { recursive: true, force: true });
});

async function clusterBehindLink(name: string) {
  const device = await startAxisEmulator({ dir, auth: 'digest', ...credentials });
  emulators.push(device);
  const link = await new ClusterLink({ host: '127.0.0.1', port: Number(new URL(device.url).port) }).listen();
  links.push(link);
  const cluster = await world.db.prisma.cluster.create({
    data: {
      communeId: world.communeId,
      name: `Cụm ${name}`,
      driverKind: 'HTTP_PUSH',
      driverConfig: { url: link.urlFor(device.url), ...credentials, format: 'audio/basic' },
    },
  });
  return { device, link, clusterId: cluster.id, id: '' };
}

/** The cluster's broadcast of the pcmu-8k rendition at `at`. */
async function plan(cluster: { clusterId: string; id: string }, at: Date, path: string, bytes: number) {
  const planned = plannedRow(world, cluster.clusterId, at);
  const item = { ...planned.plan.items[0], path, bytes, durationSec: SECONDS };
  const row = await world.db.prisma.broadcast.create({
    data: {
      ...planned,
      driverKind: 'HTTP_PUSH',
      profileId: 'pcmu-8k',
      durationSec: SECONDS,
      plan: { items: [item] },
    },
  });
  cluster.id = row.id;
}

/**
 * How much more than the device received a cut airing may count as sent: the reset is read within
 * a turn of the event loop, so a few 20 ms chunks go out after it (0.1 s), plus, when the loop was
 * held up, the chunks the pacer sends at once to catch up (its worst lateness, in the receipt).
 * The same bound as the HTTP push driver test's dropping device.
 */
function inFlightSec(receipt: unknown): number {
  const lateness = (receipt as { lateness?: { maxMs: number } }).lateness;
  return 0.1 + (lateness?.maxMs ?? 0) / 1000;
}

describe('cluster link faults (HTTP push)', () => {
  it('unreachable, recovering, cut, slow and throttled links end as README says', async () => {
    const path = 'renditions/link/1/programme.ul';
    const file = world.deps.store.resolveRelative(path);
    await mkdir(join(file, '..'), { recursive: true });
    await copyFile(await makeRendition(dir, 'pcmu-8k', SECONDS), file);
    const bytes = (await stat(file)).size;
    const unreachable = await clusterBehindLink('unreachable');
    const recovers = await clusterBehindLink('recovers');
    const cut = await clusterBehindLink('cut');
    const slow = await clusterBehindLink('slow');
    const throttled = await clusterBehindLink('throttled');
    // Lead for a loaded machine: the slow link's login round alone takes 4 × 300 ms.
    const at = new Date(Math.ceil((Date.now() + 4_000) / 1000) * 1000);
    for (const c of [unreachable, recovers, cut, slow, throttled]) await plan(c, at, path, bytes);
    unreachable.link.refuse();
    recovers.link.refuse();
    slow.link.delayMs = DELAY_MS;
    throttled.link.bytesPerSec = BYTES_PER_SEC * 0.75;

    const restoreAt = at.getTime() + RECOVERS_AFTER_MS;
    const restored = (async () => {
      await new Promise((r) => setTimeout(r, restoreAt - Date.now()));
      recovers.link.restore();
    })();
    const cutDone = (async () => {
      const t = await cut.device.nextTransmission();
      await until('1.5 s at the device', () => t.bytes >= 1.5 * BYTES_PER_SEC, 15_000);
      cut.link.cut();
    })();
    const engine = airBroadcasts(world.deps, { at }, new AbortController().signal);
    const [{ aired }] = await Promise.all([engine, restored, cutDone]);
    const row = (id: string) => world.db.prisma.broadcast.findUniqueOrThrow({ where: { id } });

    // Unreachable for good: retried (more than the first try), then missed within the limit.
    const missed = await row(unreachable.id);
    expect(missed).toMatchObject({ status: 'MISSED', reasonCode: 'cluster-offline', secondsAired: null });
    expect(missed.reason).toMatch(/over the 3 s limit/);
    expect(unreachable.link.attempts).toBeGreaterThanOrEqual(3);
    expect((missed.endedAt?.getTime() ?? 0) - at.getTime()).toBeLessThanOrEqual(MAX_LATE_SEC * 1000);
    expect(unreachable.device.transmissions).toEqual([]);

    // Back 0.5 s after the instant: a retry airs it whole, late, once.
    const late = await row(recovers.id);
    expect(late).toMatchObject({ status: 'AIRED', attempts: 1 });
    expect(late.skewMs).toBeGreaterThanOrEqual(RECOVERS_AFTER_MS);
    expect(late.skewMs).toBeLessThan(MAX_LATE_SEC * 1000);
    expect(recovers.link.attempts).toBeGreaterThanOrEqual(3); // before the instant, after it, the one that got through
    expect(recovers.device.transmissions.map((t) => t.bytes)).toEqual([bytes]);

    // Cut mid-stream: partial, with the seconds the device received.
    const partial = await row(cut.id);
    expect(partial).toMatchObject({ status: 'PARTIAL', reasonCode: 'connection-dropped' });
    const heard = cut.device.transmissions[0];
    await heard?.done;
    const heardSec = (heard?.bytes ?? 0) / BYTES_PER_SEC;
    expect(heardSec).toBeGreaterThanOrEqual(1.5);
    expect(heardSec).toBeLessThan(SECONDS - 0.5);
    expect(partial.secondsAired).toBeGreaterThanOrEqual(heardSec);
    expect((partial.secondsAired ?? 0) - heardSec).toBeLessThan(inFlightSec(partial.receipt));
    expect(cut.device.transmissions).toHaveLength(1);

    // Slow: whole, at the device late by the link's delay; Loa's skew is its own send time.
    const delayed = await row(slow.id);
    expect(delayed).toMatchObject({ status: 'AIRED', reasonCode: null });
    expect(delayed.skewMs).toBeLessThan(DELAY_MS / 2);
    const slowHeard = slow.device.transmissions[0];
    expect(slowHeard?.bytes).toBe(bytes);
    const deviceLateMs = (slowHeard?.firstByteAt ?? 0) - at.getTime();
    expect(deviceLateMs).toBeGreaterThanOrEqual(DELAY_MS - 5);
    expect(deviceLateMs).toBeLessThan(DELAY_MS + START_PRECISION_MS + 100);

    // Throttled: Loa paced in real time; the device got it all, behind real time (its buffer ran
    // dry for about a quarter of the airing), and answered: recorded aired with that answer.
    const stretched = await row(throttled.id);
    expect(stretched).toMatchObject({ status: 'AIRED', reasonCode: null });
    expect(stretched.receipt).toMatchObject({ status: 204, bytes });
    const throttledHeard = throttled.device.transmissions[0];
    expect(throttledHeard?.bytes).toBe(bytes);
    expect(throttledHeard?.maxLagMs).toBeGreaterThan(0.15 * SECONDS * 1000);

    expect(new Set(aired)).toEqual(new Set([recovers.id, slow.id, throttled.id]));
    expect(await world.db.prisma.broadcast.count()).toBe(5);
    console.info(
      `cluster link: unreachable tried ${unreachable.link.attempts}×, recovered at +${late.skewMs?.toFixed(0)} ms, cut: sent ${partial.secondsAired?.toFixed(2)} s / heard ${heardSec.toFixed(2)} s, slow: device +${deviceLateMs.toFixed(0)} ms, throttled: device lag ${throttledHeard?.maxLagMs.toFixed(0)} ms`,
    );
  }, 40_000);
});
