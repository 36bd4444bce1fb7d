// The HTTP push driver against an Axis-like device on loopback (axis-emulator.ts): what the
// device heard (the bytes, decoded by ffprobe), how it arrived (paced, chunked, logged in), and
// what Loa recorded when the device refuses, hangs up, redirects, or the airing is stopped.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfile } from '../../../media/profiles.ts';
import { systemClock } from '../../../worker/dispatch/clock.ts';
import { airBroadcasts } from '../../../worker/dispatch/engine.ts';
import type { Airing, AiringRequest } from '../../../worker/drivers/driver.ts';
import { HttpPushDriver } from '../../../worker/drivers/http-push/index.ts';
import { type DispatchWorld, dispatchWorld, plannedRow } from '../dispatch/world.ts';
import { type AxisEmulator, type EmulatorOptions, startAxisEmulator } from './axis-emulator.ts';
import { makeRendition, probe, rmsDb } from './renditions.ts';

const run = promisify(execFile);
const SECONDS = 3;
/** The start precision this driver states: first body bytes within this of the instant (a loaded, shared host). */
const START_PRECISION_MS = 50;
/** The most the device may receive ahead of real time: one 20 ms chunk plus loopback jitter. */
const MAX_LEAD_MS = 45;
const driver = new HttpPushDriver();
const never = new AbortController().signal;
let dir: string;
const renditions: Record<string, string> = {};
const emulators: AxisEmulator[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-http-push-'));
  for (const id of ['pcmu-8k', 'pcmu-16k']) renditions[id] = await makeRendition(dir, id, SECONDS);
});
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  await rm(dir, { recursive: true, force: true });
});

async function device(options: Omit<EmulatorOptions, 'dir'>): Promise<AxisEmulator> {
  const emulator = await startAxisEmulator({ dir, ...options });
  emulators.push(emulator);
  return emulator;
}

function request(config: Record<string, unknown>, startAt: number): AiringRequest {
  const parsed = driver.parseConfig(config);
  const profile = findProfile(driver.profileId(parsed));
  return {
    broadcastId: `b${startAt}`,
    clusterId: 'c',
    startAt,
    priority: 'NORMAL',
    profile,
    config: parsed,
    items: [
      {
        bulletinId: 'b',
        renditionId: profile.id,
        path: renditions[profile.id] ?? '',
        sha256: profile.id.padEnd(64, '0'),
        bytes: 0,
        durationSec: SECONDS,
        segments: [],
      },
    ],
  };
}

/** Prepares ahead, then starts at the instant as the engine does. */
async function airAt(
  config: Record<string, unknown>,
  leadMs = 600,
): Promise<{ airing: Airing; startAt: number }> {
  const startAt = systemClock.now() + leadMs;
  const prepared = await driver.prepare(request(config, startAt), never);
  await systemClock.waitUntil(startAt);
  return { airing: prepared.start(), startAt };
}

describe('HTTP push → Axis-like device', () => {
  it.each([
    { auth: 'basic', format: 'audio/basic', profile: 'pcmu-8k', rate: 8000 },
    { auth: 'digest', format: 'audio/axis-mulaw-128', profile: 'pcmu-16k', rate: 16000 },
  ] as const)('airs $format with $auth login: the device hears the rendition, paced, on time', async (c) => {
    const axis = await device({ auth: c.auth, username: 'root', password: 'mật-khẩu' });
    const config = { url: axis.url, username: 'root', password: 'mật-khẩu', format: c.format };
    const heard = axis.nextTransmission();
    const { airing, startAt } = await airAt(config);
    const [firstAudioAt, outcome] = await Promise.all([airing.firstAudioAt, airing.done]);
    const t = await heard;
    await t.done;

    expect(outcome.error).toBeUndefined();
    expect(Math.abs(outcome.secondsAired - SECONDS)).toBeLessThan(0.02 * SECONDS);
    expect(outcome.receipt).toMatchObject({ status: 204, login: c.auth, contentType: c.format });
    expect(JSON.stringify(outcome.receipt)).not.toContain('mật-khẩu');
    // One challenge round, then the audio: the challenge's nonce served exactly one request.
    expect(axis.refused).toEqual([{ status: 401, why: 'no login' }]);
    expect(t).toMatchObject({ contentType: c.format, chunked: true, endedCleanly: true });

    // What the device heard is the rendition, byte for byte, and decodes as it should.
    const source = renditions[c.profile] ?? '';
    expect((await readFile(t.path)).equals(await readFile(source))).toBe(true);
    const profile = findProfile(c.profile);
    const [got, sent] = await Promise.all([probe(t.path, profile), probe(source, profile)]);
    expect([got.codec, got.sampleRate]).toEqual(['pcm_mulaw', c.rate]);
    expect(Math.abs(got.durationSec - SECONDS)).toBeLessThan(0.02 * SECONDS);
    expect(Math.abs((await rmsDb(t.path, profile)) - (await rmsDb(source, profile)))).toBeLessThan(0.1);
    expect(sent.durationSec).toBeCloseTo(SECONDS, 1);

    // Paced: never more than a chunk ahead of real time, and not starved either.
    expect(t.maxLeadMs).toBeLessThan(MAX_LEAD_MS);
    expect(t.maxLagMs).toBeLessThan(200);
    // On time: the first body bytes left, and reached the device, within the stated precision.
    expect(firstAudioAt - startAt).toBeGreaterThanOrEqual(0);
    expect(firstAudioAt - startAt).toBeLessThan(START_PRECISION_MS);
    expect((t.firstByteAt ?? Number.POSITIVE_INFINITY) - startAt).toBeLessThan(START_PRECISION_MS);
    console.info(
      `http-push ${c.auth}: skew ${(firstAudioAt - startAt).toFixed(2)} ms, at the device ${((t.firstByteAt ?? 0) - startAt).toFixed(2)} ms, lead ${t.maxLeadMs.toFixed(1)} ms, lag ${t.maxLagMs.toFixed(1)} ms`,
    );
  });

  it('a wrong password ends failed with the reason and 0 s', async () => {
    const axis = await device({ auth: 'digest', username: 'root', password: 'right' });
    const { airing } = await airAt({ url: axis.url, username: 'root', password: 'wrong' });
    const outcome = await airing.done;
    expect(outcome.secondsAired).toBe(0);
    expect(outcome.error?.code).toBe('auth-refused');
    expect(outcome.error?.message).toMatch(/từ chối đăng nhập.*refused the login \(HTTP 401\)/);
    await expect(airing.firstAudioAt).rejects.toMatchObject({ code: 'auth-refused' });
    expect(axis.transmissions).toEqual([]);
    expect(axis.refused.map((r) => r.why)).toEqual(['no login', 'wrong login']);
  });

  it('a device that hangs up mid-stream ends the airing with the seconds it was sent', async () => {
    const axis = await device({ auth: 'none', dropAfterBytes: 8000 * 1.5 });
    const heard = axis.nextTransmission();
    const { airing } = await airAt({ url: axis.url });
    const outcome = await airing.done;
    const t = await heard;
    await t.done;
    expect(outcome.error?.code).toBe('connection-dropped');
    expect(outcome.error?.message).toMatch(
      /mất kết nối .* the connection to the device dropped after \d+\.\d s/,
    );
    expect(t.endedCleanly).toBe(false);
    const heardSec = (await stat(t.path)).size / 8000;
    expect(heardSec).toBeGreaterThanOrEqual(1.5);
    expect(outcome.secondsAired).toBeGreaterThanOrEqual(heardSec);
    expect(outcome.secondsAired - heardSec).toBeLessThan(inFlightSec(outcome.receipt));
    expect(outcome.receipt).toMatchObject({ status: null, dropped: expect.any(String) });
  });

  it('a redirect is never followed: failed with the reason, before and after the login', async () => {
    const axis = await device({ auth: 'none', redirectTo: 'http://user:secret@10.9.9.9/elsewhere?token=x' });
    for (const config of [{ url: axis.url }, { url: axis.url, username: 'root', password: 'pw' }]) {
      const { airing } = await airAt(config, 300);
      const outcome = await airing.done;
      expect(outcome.secondsAired).toBe(0);
      expect(outcome.error?.code).toBe('redirect-refused');
      expect(outcome.error?.message).toContain('HTTP 302 → http://10.9.9.9/elsewhere');
      expect(JSON.stringify(outcome)).not.toMatch(/secret|token=/);
    }
    expect(axis.transmissions).toEqual([]);
    expect(axis.refused).toHaveLength(2);
  });

  it('stop() ends the request at once, cleanly, with the seconds sent', async () => {
    const axis = await device({ auth: 'basic', username: 'root', password: 'pw' });
    const heard = axis.nextTransmission();
    const { airing } = await airAt({ url: axis.url, username: 'root', password: 'pw' });
    const t = await heard;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stoppedAt = performance.now();
    airing.stop({ code: 'preempted', message: 'emergency' });
    const outcome = await airing.done;
    const tookMs = performance.now() - stoppedAt;
    await t.done;
    expect(tookMs).toBeLessThan(100);
    expect(outcome.error?.code).toBe('preempted');
    expect(outcome.secondsAired).toBeGreaterThan(0.9);
    expect(outcome.secondsAired).toBeLessThan(1.5);
    // The device got the last chunk (a clean end) and every byte that was counted as aired.
    expect(t.endedCleanly).toBe(true);
    expect(t.bytes).toBe(Math.round(outcome.secondsAired * 8000));
    expect(outcome.receipt).toMatchObject({ status: 204 });
  });

  it('abandon() before the instant hangs up the opened push: nothing plays', async () => {
    const axis = await device({ auth: 'digest', username: 'root', password: 'pw' });
    const heard = axis.nextTransmission();
    const config = { url: axis.url, username: 'root', password: 'pw' };
    const prepared = await driver.prepare(request(config, Date.now() + 1000), never);
    const t = await heard; // the device took the login and waits for audio
    await prepared.abandon({ code: 'cancelled', message: 'cancelled' });
    await t.done;
    expect(t).toMatchObject({ bytes: 0, endedCleanly: false });
  });

  it('an https device whose certificate the host does not trust is refused before any login is sent', async () => {
    const key = join(dir, 'device.key');
    const cert = join(dir, 'device.crt');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    const tls = { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
    const axis = await device({ auth: 'basic', username: 'root', password: 'pw', tls });
    expect(axis.url).toMatch(/^https:/);
    for (const config of [{ url: axis.url }, { url: axis.url, username: 'root', password: 'pw' }]) {
      const { airing } = await airAt(config, 300);
      const outcome = await airing.done;
      expect(outcome.secondsAired).toBe(0);
      expect(outcome.error?.code).toBe('tls-refused');
      expect(outcome.error?.message).toMatch(/certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    }
    // Nothing reached the device's HTTP layer: no password went to a device Loa cannot authenticate.
    expect(axis.refused).toEqual([]);
    expect(axis.transmissions).toEqual([]);
  });

  it('an unreachable device is offline: the probe says so and prepare throws cluster-offline', async () => {
    const axis = await device({ auth: 'none' });
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/axis-cgi/audio/transmit.cgi`;
    expect(await driver.probe(driver.parseConfig({ url: axis.url }), never)).toEqual({ online: true });
    expect(await driver.probe(driver.parseConfig({ url }), never)).toMatchObject({ online: false });
    for (const config of [{ url }, { url, username: 'root', password: 'pw' }]) {
      await expect(driver.prepare(request(config, Date.now()), never)).rejects.toMatchObject({
        code: 'cluster-offline',
      });
    }
  });
});

describe('HTTP push through the dispatch engine', () => {
  let world: DispatchWorld;
  beforeAll(async () => {
    world = await dispatchWorld({ clusters: 0, audioSec: 1 });
  });
  afterAll(() => world?.close());

  it('records status, skew and seconds aired of each HTTP push cluster of an instant', async () => {
    // The pcmu-8k rendition in the world's media store, as the pipeline would have left it.
    const path = 'renditions/test/2/programme.ul';
    const file = world.deps.store.resolveRelative(path);
    await mkdir(join(file, '..'), { recursive: true });
    await copyFile(renditions['pcmu-8k'] ?? '', file);
    const bytes = (await stat(file)).size;
    const credentials = { username: 'root', password: 'mật-khẩu' };
    const devices = {
      whole: await device({ auth: 'digest', ...credentials }),
      dropping: await device({ auth: 'digest', ...credentials, dropAfterBytes: 8000 }),
      refusing: await device({ auth: 'digest', username: 'root', password: 'another' }),
    };
    const at = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const rows: Record<string, string> = {};
    for (const [name, axis] of Object.entries(devices)) {
      const cluster = await world.db.prisma.cluster.create({
        data: {
          communeId: world.communeId,
          name: `Cụm Axis ${name}`,
          driverKind: 'HTTP_PUSH',
          driverConfig: { url: axis.url, ...credentials, format: 'audio/basic' },
        },
      });
      const planned = plannedRow(world, cluster.id, at);
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
      rows[name] = row.id;
    }
    const { aired } = await airBroadcasts(world.deps, { at }, never);
    expect(aired).toEqual([rows.whole]);
    const stored = async (name: string) =>
      world.db.prisma.broadcast.findUniqueOrThrow({ where: { id: rows[name] as string } });

    const whole = await stored('whole');
    expect(whole).toMatchObject({ status: 'AIRED', reasonCode: null });
    expect(whole.skewMs).toBeGreaterThanOrEqual(0);
    expect(whole.skewMs).toBeLessThan(START_PRECISION_MS);
    expect(Math.abs((whole.secondsAired ?? 0) - SECONDS)).toBeLessThan(0.02 * SECONDS);
    expect(whole.receipt).toMatchObject({ status: 204, login: 'digest', contentType: 'audio/basic' });
    console.info(
      `http-push via the engine: skew ${whole.skewMs?.toFixed(2)} ms, spread ${whole.spreadMs?.toFixed(2)} ms`,
    );
    const heard = devices.whole.transmissions[0];
    expect(heard?.bytes).toBe(bytes);

    const dropped = await stored('dropping');
    expect(dropped).toMatchObject({ status: 'PARTIAL', reasonCode: 'connection-dropped' });
    expect(dropped.skewMs).toBeLessThan(START_PRECISION_MS);
    const droppedAfter = (devices.dropping.transmissions[0]?.bytes ?? 0) / 8000;
    expect(droppedAfter).toBeGreaterThanOrEqual(1);
    expect(dropped.secondsAired).toBeGreaterThanOrEqual(droppedAfter);
    expect((dropped.secondsAired ?? 0) - droppedAfter).toBeLessThan(inFlightSec(dropped.receipt));

    const refused = await stored('refusing');
    expect(refused).toMatchObject({
      status: 'FAILED',
      reasonCode: 'auth-refused',
      secondsAired: 0,
      skewMs: null,
    });
    expect(refused.reason).toMatch(/refused the login \(HTTP 401\)/);
    expect(JSON.stringify([whole, dropped, refused].map((r) => [r.receipt, r.reason]))).not.toContain(
      'mật-khẩu',
    );
  });
});

/**
 * How much more than the device heard a dropped airing may count as sent. The hang-up is seen on
 * its FIN within a turn of the event loop, so a few 20 ms chunks go out after it (0.1 s = 5
 * chunks) — plus, when the loop was held up (this machine's load, PGlite's queries in the same
 * process), the chunks the pacer sends at once to catch up, which reach the socket before the
 * FIN is read: at most the pacing's worst lateness, which the receipt reports.
 */
function inFlightSec(receipt: unknown): number {
  const lateness = (receipt as { lateness?: { maxMs: number } }).lateness;
  return 0.1 + (lateness?.maxMs ?? 0) / 1000;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
