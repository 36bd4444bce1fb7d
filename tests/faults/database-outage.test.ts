// Fault: the PostgreSQL server stopped (immediate shutdown, connections cut) for OUTAGE_MS, then
// started again. The API answers 503 problem+json with Retry-After meanwhile and serves again
// afterwards, with nothing half-written; an airing running through the outage keeps airing (the
// lease is the cluster's, the audio is local) and its record lands once the database is back.
// A minute in the issue; OUTAGE_MS is enough for every connection of the pool to fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airBroadcasts } from '../../worker/dispatch/engine.ts';
import { type DispatchWorld, dispatchWorld, plannedRow } from '../integration/dispatch/world.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';
import { type PrivatePostgres, startPrivatePostgres } from './support/postgres.ts';
import { until } from './support/processes.ts';

const OUTAGE_MS = 8_000;
let pg: PrivatePostgres;
let api: TestWorld;
let scheduler: SignedIn;
let world: DispatchWorld;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  api = await createTestWorld({}, pg.kind);
  scheduler = await signIn(api.app, 'scheduler');
  world = await dispatchWorld({ clusters: 1, audioSec: 6, maxLateSec: 5, database: pg.kind });
  world.deps.lease = { ttlMs: 3_000, renewMs: 500 };
});

afterAll(async () => {
  await pg?.start().catch(() => {});
  await world?.close();
  await api?.close();
  await pg?.destroy();
});

describe('database unavailable', () => {
  it('the API answers 503 with Retry-After and writes nothing; an airing finishes and its record lands after', async () => {
    const list = () => scheduler.send('get', `/api/market-calendars?communeId=${api.communeA.id}`);
    expect((await list()).status).toBe(200);

    const at = new Date(Math.ceil((Date.now() + 2_000) / 1000) * 1000);
    const broadcast = await world.db.prisma.broadcast.create({
      data: plannedRow(world, world.clusterIds[0] as string, at),
    });
    const airing = airBroadcasts(world.deps, { at }, new AbortController().signal);
    await until(
      'airing',
      async () =>
        (await world.db.prisma.broadcast.findUniqueOrThrow({ where: { id: broadcast.id } })).status ===
        'AIRING',
    );

    await pg.stop();
    const down = Date.now();
    const read = await list();
    expect(read.status).toBe(503);
    expect(read.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(read.headers['retry-after']).toMatch(/^\d+$/);
    expect(read.body).toMatchObject({ status: 503, code: 'database-unavailable' });
    const write = await scheduler.send('post', '/api/market-calendars', {
      communeId: api.communeA.id,
      name: 'Chợ trong lúc mất CSDL',
      rules: [{ kind: 'weekdays', days: ['SU'] }],
    });
    expect(write.status).toBe(503);
    expect(write.headers['retry-after']).toMatch(/^\d+$/);

    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));
    await pg.start();

    // The airing ended during the outage; its outcome is written once the server is back.
    await airing;
    const row = await world.db.prisma.broadcast.findUniqueOrThrow({ where: { id: broadcast.id } });
    expect(row).toMatchObject({ status: 'AIRED', attempts: 1 });
    expect(row.secondsAired).toBeCloseTo(world.rendition.durationSec, 0);

    // Serving again, and the refused write left nothing behind.
    const after = await until(
      'API serving again',
      async () => {
        const res = await list();
        return res.status === 200 && res;
      },
      15_000,
    );
    expect((after.body as { name: string }[]).map((c) => c.name)).not.toContain('Chợ trong lúc mất CSDL');
  }, 60_000);
});
