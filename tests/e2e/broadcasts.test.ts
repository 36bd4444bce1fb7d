// Broadcasts through the HTTP API: the day's airings and the live board (JSON and SSE) within the
// caller's scope, a recorder's capture with Range, emergencies (who may, which bulletins, the rows
// and the air-now job they make, the reason in the audit trail) and test tones. No worker runs
// here: what the engine does with the rows is tests/integration/emergency-preempts.test.ts.
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { measureLoudness } from '../../media/loudness.ts';
import { serve } from '../../server/http/serve.ts';
import { airNowJobId } from '../../worker/jobs/catalogue.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
let scheduler: SignedIn;
let officer: SignedIn;
let clustersA: string[];

beforeAll(async () => {
  w = await createTestWorld();
  scheduler = await signIn(w.app, 'scheduler');
  officer = await signIn(w.app, 'officer');
  clustersA = (
    await w.db.prisma.cluster.findMany({
      where: { communeId: w.communeA.id, enabled: true },
      select: { id: true },
    })
  ).map((c) => c.id);
});

afterAll(async () => {
  await w?.close();
});

/** A processed bulletin with a WAV L16 programme rendition (the recorder clusters' profile). */
async function bulletin(
  options: {
    priority?: 'NORMAL' | 'EMERGENCY';
    approved?: boolean;
    communeId?: string;
    status?: 'READY' | 'DRAFT';
  } = {},
) {
  const prisma = w.db.prisma;
  const admin = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
  const created = await prisma.bulletin.create({
    data: {
      communeId: options.communeId ?? w.communeA.id,
      title: `Cảnh báo lũ quét ${Math.random().toString(36).slice(2, 6)}`,
      priority: options.priority ?? 'EMERGENCY',
      authorId: admin.id,
      status: options.status ?? 'READY',
      ...((options.approved ?? true) ? { approvedAt: new Date(), approvedById: admin.id } : {}),
    },
  });
  await prisma.rendition.create({
    data: {
      bulletinId: created.id,
      revision: 0,
      profileId: 'wav-l16',
      path: `renditions/${created.id}/0/programme.wav`,
      mimeType: 'audio/wav',
      codec: 'pcm_s16le',
      sampleRate: 16000,
      channels: 1,
      bytes: 64044n,
      sha256: 'b'.repeat(64),
      durationSec: 2,
      integratedLufs: -18,
      truePeakDbtp: -3,
    },
  });
  return created.id;
}

/** A broadcast row on a cluster (the dispatch engine's shape), in any state. */
async function row(clusterId: string, communeId: string, data: Record<string, unknown> = {}) {
  return w.db.prisma.broadcast.create({
    data: {
      kind: 'SLOT',
      communeId,
      clusterId,
      scheduledAt: new Date(),
      priority: 'NORMAL',
      profileId: 'wav-l16',
      driverKind: 'RECORDER',
      durationSec: 2,
      plan: { items: [] },
      ...data,
    },
  });
}

describe('POST /api/emergencies', () => {
  it('answers 401 without a session, 403 to an officer or auditor, 404 for another commune’s bulletin', async () => {
    const id = await bulletin();
    const body = { bulletinId: id, reason: 'Lũ quét trên suối Nậm Na' };
    const anonymous = await request(w.app).post('/api/emergencies').send(body);
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'unauthenticated']);
    const byOfficer = await officer.send('post', '/api/emergencies', body);
    expect([byOfficer.status, byOfficer.body.code]).toEqual([403, 'forbidden']);
    const auditor = await signIn(w.app, 'auditor');
    expect((await auditor.send('post', '/api/emergencies', body)).status).toBe(403);
    const other = await bulletin({ communeId: w.communeB.id });
    const elsewhere = await scheduler.send('post', '/api/emergencies', { ...body, bulletinId: other });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([404, 'not-found']);
    // A cluster of a commune the scheduler cannot see, named beside their own bulletin.
    const foreignCluster = await scheduler.send('post', '/api/emergencies', {
      ...body,
      clusterIds: [w.clusterB],
    });
    expect([foreignCluster.status, foreignCluster.body.code]).toEqual([404, 'not-found']);
    expect(await w.db.prisma.broadcast.count({ where: { kind: 'EMERGENCY' } })).toBe(0);
  });

  it('answers 400 naming the field for a missing or short reason and a malformed body', async () => {
    const id = await bulletin();
    const short = await scheduler.send('post', '/api/emergencies', { bulletinId: id, reason: 'lũ' });
    expect(short.status).toBe(400);
    expect(short.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.reason']);
    const none = await scheduler.send('post', '/api/emergencies', { bulletinId: id });
    expect(none.status).toBe(400);
    expect(none.body.errors.map((e: { field: string }) => e.field)).toContain('body.reason');
    const extra = await scheduler.send('post', '/api/emergencies', {
      bulletinId: 'not-a-uuid',
      reason: 'Cháy rừng',
      volume: 11,
    });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('invalid-request');
  });

  it('refuses a bulletin that is not an emergency, not approved or not ready, saying why', async () => {
    const reason = 'Bão số 3 đổ bộ';
    const normal = await scheduler.send('post', '/api/emergencies', {
      bulletinId: await bulletin({ priority: 'NORMAL' }),
      reason,
    });
    expect([normal.status, normal.body.code]).toEqual([422, 'bulletin-not-emergency']);
    expect(normal.body.detail).toMatch(/Thông tư 39/);
    const unapproved = await scheduler.send('post', '/api/emergencies', {
      bulletinId: await bulletin({ approved: false }),
      reason,
    });
    expect([unapproved.status, unapproved.body.code]).toEqual([409, 'bulletin-not-approved']);
    const draft = await scheduler.send('post', '/api/emergencies', {
      bulletinId: await bulletin({ status: 'DRAFT', approved: false }),
      reason,
    });
    expect([draft.status, draft.body.code]).toEqual([409, 'bulletin-not-ready']);
    expect(await w.db.prisma.broadcast.count({ where: { kind: 'EMERGENCY' } })).toBe(0);
  });

  it('makes one emergency broadcast per cluster of the commune, queues air-now and audits the reason', async () => {
    const id = await bulletin();
    const reason = 'Lũ quét trên suối Nậm Na, sơ tán ngay';
    const res = await scheduler.send('post', '/api/emergencies', { bulletinId: id, reason }).expect(202);
    const { requestId, broadcasts } = res.body as {
      requestId: string;
      broadcasts: {
        id: string;
        clusterId: string;
        kind: string;
        priority: string;
        status: string;
        triggerReason: string;
        titles: string[];
      }[];
    };
    expect(broadcasts.map((b) => b.clusterId).sort()).toEqual([...clustersA].sort());
    for (const b of broadcasts) {
      expect(b).toMatchObject({
        kind: 'EMERGENCY',
        priority: 'EMERGENCY',
        status: 'PLANNED',
        triggerReason: reason,
      });
      expect(b.titles[0]).toMatch(/^Cảnh báo lũ quét/);
    }
    const job = await w.deps.jobs.queue('dispatch').getJob(airNowJobId(requestId));
    expect(job?.name).toBe('air-now');
    expect([...(job?.data.broadcastIds as string[])].sort()).toEqual(broadcasts.map((b) => b.id).sort());
    const audit = await w.db.prisma.auditEvent.findMany({
      where: { action: 'broadcast.emergency', entityId: id },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ reason, communeId: w.communeA.id, actorName: 'scheduler' });
    // The day's list holds them, each readable on its own.
    const day = await scheduler.send('get', '/api/broadcasts').expect(200);
    expect(day.body.map((b: { id: string }) => b.id)).toEqual(
      expect.arrayContaining(broadcasts.map((b) => b.id)),
    );
    await scheduler.send('get', `/api/broadcasts/${broadcasts[0]?.id}`).expect(200);
  });

  it('airs on the clusters named only', async () => {
    const only = clustersA[0] as string;
    const res = await scheduler
      .send('post', '/api/emergencies', {
        bulletinId: await bulletin(),
        clusterIds: [only],
        reason: 'Cháy rừng phía bản',
      })
      .expect(202);
    expect(res.body.broadcasts.map((b: { clusterId: string }) => b.clusterId)).toEqual([only]);
  });
});

describe('broadcasts of a day and the board', () => {
  it('lists only the caller’s communes, filters by cluster, and hides another commune’s broadcast (404)', async () => {
    const mine = await row(clustersA[0] as string, w.communeA.id);
    const theirs = await row(w.clusterB, w.communeB.id);
    const list = (await scheduler.send('get', '/api/broadcasts').expect(200)).body as {
      id: string;
      communeId: string;
    }[];
    expect(list.map((b) => b.id)).toContain(mine.id);
    expect(list.every((b) => b.communeId === w.communeA.id)).toBe(true);
    const filtered = (await scheduler.send('get', `/api/broadcasts?clusterId=${clustersA[1]}`).expect(200))
      .body as {
      clusterId: string;
    }[];
    expect(filtered.every((b) => b.clusterId === clustersA[1])).toBe(true);
    const hidden = await scheduler.send('get', `/api/broadcasts/${theirs.id}`);
    expect([hidden.status, hidden.body.code]).toEqual([404, 'not-found']);
    const admin = await signIn(w.app, 'admin');
    await admin.send('get', `/api/broadcasts/${theirs.id}`).expect(200);
    // Yesterday has none of today's.
    const yesterday = new Date(Date.now() - 86_400_000 - 7 * 3600_000).toISOString().slice(0, 10);
    const before = (await scheduler.send('get', `/api/broadcasts?day=${yesterday}`).expect(200)).body as {
      id: string;
    }[];
    expect(before.map((b) => b.id)).not.toContain(mine.id);
    const bad = await scheduler.send('get', '/api/broadcasts?day=2026-13-45');
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid-request']);
    expect((await request(w.app).get('/api/broadcasts')).status).toBe(401);
  });

  it('shows per cluster what airs now and next, its health, and the day’s missed airings', async () => {
    const [c1, c2] = clustersA as [string, string];
    const airing = await row(c1, w.communeA.id, { status: 'AIRING', firstAudioAt: new Date(), skewMs: 3.2 });
    const next = await row(c1, w.communeA.id, { scheduledAt: new Date(Date.now() + 3600_000) });
    const missed = await row(c2, w.communeA.id, {
      status: 'MISSED',
      reasonCode: 'cluster-offline',
      reason: 'cụm loa không trả lời / the cluster did not answer',
      scheduledAt: new Date(Date.now() - 60_000),
    });
    await w.db.prisma.clusterHealth.create({
      data: { clusterId: c2, state: 'OFFLINE', detail: 'ECONNREFUSED' },
    });
    const board = (await scheduler.send('get', '/api/board').expect(200)).body as {
      clusters: {
        id: string;
        communeId: string;
        now: { id: string } | null;
        next: { id: string } | null;
        missed: { id: string; reasonCode: string }[];
        health: { state: string };
      }[];
    };
    expect(board.clusters.every((c) => c.communeId === w.communeA.id)).toBe(true);
    const one = board.clusters.find((c) => c.id === c1);
    const two = board.clusters.find((c) => c.id === c2);
    expect(one?.now?.id).toBe(airing.id);
    expect(one?.next?.id).toBeDefined();
    expect(two?.missed.map((m) => m.id)).toContain(missed.id);
    expect(two?.health.state).toBe('OFFLINE');
    await w.db.prisma.broadcast.deleteMany({ where: { id: { in: [airing.id, next.id] } } });
  });

  it('streams the board over SSE: at once, then again when a broadcast changes', async () => {
    const server: Server = await serve(w.app, 0, '127.0.0.1');
    const controller = new AbortController();
    try {
      const { port } = server.address() as AddressInfo;
      const cookie = scheduler.agent.jar
        .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
        .map((c: { name: string; value: string }) => `${c.name}=${c.value}`)
        .join('; ');
      const res = await fetch(`http://127.0.0.1:${port}/api/board/events`, {
        headers: { cookie },
        signal: controller.signal,
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const boards = readEvents(res.body as ReadableStream<Uint8Array>);
      const first = await boards.next();
      expect(first.clusters.length).toBeGreaterThan(0);
      const cluster = clustersA[1] as string;
      expect(first.clusters.find((c) => c.id === cluster)?.now).toBeNull();
      const started = await row(cluster, w.communeA.id, { status: 'AIRING', firstAudioAt: new Date() });
      // Events keep coming as the board changes; the one that counts shows the airing.
      for (;;) {
        const board = await boards.next();
        if (board.clusters.find((c) => c.id === cluster)?.now?.id === started.id) break;
      }
      await w.db.prisma.broadcast.delete({ where: { id: started.id } });
    } finally {
      controller.abort();
      server.close();
    }
  }, 20_000);
});

type BoardEvent = { clusters: { id: string; now: { id: string } | null }[] };

function readEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<BoardEvent> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === 'board' && data) return JSON.parse(data) as BoardEvent;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}

describe('recordings', () => {
  it('serves what the recorder captured, with Range, and 404 no-recording otherwise', async () => {
    const recorded = await row(clustersA[0] as string, w.communeA.id, { status: 'AIRED' });
    await mkdir(join(w.mediaDir, 'recordings'), { recursive: true });
    await generateSpeechLike(join(w.mediaDir, 'recordings', `${recorded.id}.wav`), {
      durationSec: 1,
      sampleRate: 16000,
      channels: 1,
      container: 'wav',
    });
    const whole = await scheduler.send('get', `/api/broadcasts/${recorded.id}/recording`).expect(200);
    expect(whole.headers['content-type']).toBe('audio/wav');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    const part = await scheduler
      .send('get', `/api/broadcasts/${recorded.id}/recording`)
      .set('Range', 'bytes=0-99')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(206);
    expect(part.headers['content-range']).toMatch(/^bytes 0-99\/\d+$/);
    expect((part.body as Buffer).subarray(0, 4).toString('latin1')).toBe('RIFF');

    const notYet = await row(clustersA[0] as string, w.communeA.id);
    const missing = await scheduler.send('get', `/api/broadcasts/${notYet.id}/recording`);
    expect([missing.status, missing.body.code]).toEqual([404, 'no-recording']);
    const rtp = await row(clustersA[0] as string, w.communeA.id, { driverKind: 'RTP', profileId: 'pcmu-8k' });
    expect((await scheduler.send('get', `/api/broadcasts/${rtp.id}/recording`)).body.code).toBe(
      'no-recording',
    );
    const theirs = await row(w.clusterB, w.communeB.id, { status: 'AIRED' });
    expect((await scheduler.send('get', `/api/broadcasts/${theirs.id}/recording`)).status).toBe(404);
  });
});

describe('POST /api/clusters/:clusterId/test-tone', () => {
  it('makes a TEST broadcast of a 3 s tone at the loudness target, made once per profile, audited', async () => {
    const cluster = clustersA[0] as string;
    const res = await scheduler.send('post', `/api/clusters/${cluster}/test-tone`).expect(202);
    const [test] = res.body.broadcasts as {
      id: string;
      kind: string;
      priority: string;
      durationSec: number;
      titles: string[];
    }[];
    expect(test).toMatchObject({ kind: 'TEST', priority: 'NORMAL', titles: [] });
    expect(test?.durationSec).toBeCloseTo(3, 1);
    const stored = await w.db.prisma.broadcast.findUniqueOrThrow({ where: { id: test?.id } });
    const item = (stored.plan as { items: { path: string; sha256: string }[] }).items[0];
    expect(item?.path).toBe('tones/wav-l16.wav');
    const loudness = await measureLoudness({ path: join(w.mediaDir, 'tones', 'wav-l16.wav') });
    expect(Math.abs(loudness.integratedLufs - -18)).toBeLessThanOrEqual(0.5);
    expect(loudness.truePeakDbtp).toBeLessThan(-1.5);
    expect(await w.deps.jobs.queue('dispatch').getJob(airNowJobId(res.body.requestId))).toBeDefined();
    // The second test reuses the same file.
    const again = await scheduler.send('post', `/api/clusters/${cluster}/test-tone`).expect(202);
    const second = await w.db.prisma.broadcast.findUniqueOrThrow({
      where: { id: again.body.broadcasts[0].id },
    });
    expect((second.plan as { items: { sha256: string }[] }).items[0]?.sha256).toBe(item?.sha256);
    expect(
      await w.db.prisma.auditEvent.count({ where: { action: 'broadcast.test-tone', entityId: cluster } }),
    ).toBe(2);
  });

  it('answers 401, 403 to an officer, 404 for another commune’s cluster, 409 for a disabled one', async () => {
    const cluster = clustersA[0] as string;
    expect((await request(w.app).post(`/api/clusters/${cluster}/test-tone`)).status).toBe(401);
    const byOfficer = await officer.send('post', `/api/clusters/${cluster}/test-tone`);
    expect([byOfficer.status, byOfficer.body.code]).toEqual([403, 'forbidden']);
    const other = await scheduler.send('post', `/api/clusters/${w.clusterB}/test-tone`);
    expect([other.status, other.body.code]).toEqual([404, 'not-found']);
    const disabled = await w.db.prisma.cluster.create({
      data: { communeId: w.communeA.id, name: 'Cụm loa tạm ngừng', enabled: false },
    });
    const off = await scheduler.send('post', `/api/clusters/${disabled.id}/test-tone`);
    expect([off.status, off.body.code]).toEqual([409, 'cluster-disabled']);
    const bad = await scheduler.send('post', '/api/clusters/not-a-uuid/test-tone');
    expect(bad.status).toBe(400);
  });
});
