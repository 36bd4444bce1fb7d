// GET /metrics and the operators' queue view, through the real app: PGlite with broadcasts of
// known skews and statuses, real Redis with a waiting job and a finished transcode.
import { randomUUID } from 'node:crypto';
import { type Job, Worker } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { freePort } from '../../scripts/redis-child.ts';
import { createOperationsMetrics } from '../../server/modules/operations/metrics.ts';
import { QUEUES } from '../../worker/jobs/catalogue.ts';
import { createJobProducer } from '../../worker/jobs/producer.ts';
import { createTestWorld, signIn, type TestWorld } from '../setup/test-app.ts';

/** One exposition: `name{label="v",…}` (labels sorted) → value; every line checked strictly. */
function parsePrometheusText(text: string): Map<string, number> {
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const label = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
  // prom-client writes NaN as "Nan"; Prometheus reads NaN and Inf in any case (Go's ParseFloat).
  const special = '[Nn][Aa][Nn]|[+-][Ii][Nn][Ff]';
  const sampleLine = new RegExp(
    `^(${name})(?:\\{(${label}(?:,${label})*)\\})? ((?:${special})|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)$`,
  );
  const help = new RegExp(`^# HELP (${name}) .*$`);
  const type = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`);
  const typed = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || help.test(line)) continue;
    const t = type.exec(line);
    if (t) {
      typed.set(t[1] as string, t[2] as string);
      continue;
    }
    const m = sampleLine.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    const [, metric, labels = '', value] = m as unknown as [string, string, string | undefined, string];
    const family = metric.replace(/_(bucket|sum|count|total)$/, '');
    if (!typed.has(metric) && !typed.has(family)) throw new Error(`no # TYPE before ${metric}`);
    const sorted = labels ? (labels.match(new RegExp(label, 'g')) ?? []).sort().join(',') : '';
    const key = sorted ? `${metric}{${sorted}}` : metric;
    if (samples.has(key)) throw new Error(`sample twice: ${key}`);
    samples.set(key, Number(value));
  }
  return samples;
}

const PROGRAMME = 'Vì chủ quyền an ninh biên giới';
const HOUR = 3600_000;
let w: TestWorld;
let samples: Map<string, number>;

async function broadcast(data: {
  status: 'AIRED' | 'MISSED' | 'FAILED' | 'PLANNED' | 'PREEMPTED';
  agoMs: number;
  skewMs?: number;
  kind?: 'SLOT' | 'EMERGENCY';
  bulletinId?: string;
}) {
  await w.db.prisma.broadcast.create({
    data: {
      kind: data.kind ?? 'SLOT',
      requestId: randomUUID(),
      communeId: w.communeA.id,
      clusterId: w.clusterA,
      scheduledAt: new Date(Date.now() - data.agoMs),
      priority: data.kind === 'EMERGENCY' ? 'EMERGENCY' : 'NORMAL',
      status: data.status,
      profileId: 'wav-l16',
      driverKind: 'RECORDER',
      durationSec: 2,
      skewMs: data.skewMs ?? null,
      plan: { items: data.bulletinId ? [{ bulletinId: data.bulletinId }] : [] },
    },
  });
}

async function bulletin(programme: string): Promise<string> {
  const admin = await w.db.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
  const row = await w.db.prisma.bulletin.create({
    data: { communeId: w.communeA.id, title: `Bản tin ${programme}`, programme, authorId: admin.id },
  });
  return row.id;
}

/** One transcode job run by a real BullMQ worker (its processor only takes ~300 ms). */
async function finishOneTranscode(): Promise<void> {
  const worker = new Worker('transcode', async () => new Promise((r) => setTimeout(r, 300)), {
    connection: openRedis(inject('redisUrl'), 'worker'),
    prefix: w.prefix,
  });
  try {
    const done = new Promise<Job>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('transcode job did not finish in 10 s')), 10_000);
      worker.on('completed', (job) => {
        clearTimeout(timer);
        resolve(job);
      });
    });
    await w.deps.jobs.enqueue('transcode-bulletin', { bulletinId: randomUUID(), revision: 0 }, 'metrics-tb');
    await done;
  } finally {
    await worker.close();
  }
}

beforeAll(async () => {
  w = await createTestWorld();
  const prisma = w.db.prisma;
  const plain = await bulletin(PROGRAMME);
  const none = await bulletin('');
  // Scheduled within the last 24 h, known skews (ms): 3, 8, 15, 400, 2000.
  for (const skewMs of [3, 8, 15, 400, 2000]) {
    await broadcast({ status: 'AIRED', agoMs: HOUR, skewMs, bulletinId: plain });
  }
  await broadcast({ status: 'AIRED', agoMs: 30 * HOUR, skewMs: 50, bulletinId: plain }); // outside the window
  await broadcast({ status: 'MISSED', agoMs: 2 * HOUR, bulletinId: plain });
  await broadcast({ status: 'MISSED', agoMs: 2 * HOUR, bulletinId: none });
  await broadcast({ status: 'FAILED', agoMs: 2 * HOUR });
  await broadcast({ status: 'PLANNED', agoMs: -HOUR, bulletinId: plain }); // not ended: not counted
  await broadcast({ status: 'AIRED', agoMs: HOUR, skewMs: 1, kind: 'EMERGENCY', bulletinId: plain });

  // Health: every enabled cluster unknown but one online and one offline; a disabled one is not counted.
  await prisma.clusterHealth.deleteMany({});
  await prisma.clusterHealth.create({ data: { clusterId: w.clusterA, state: 'ONLINE' } });
  await prisma.clusterHealth.create({ data: { clusterId: w.clusterB, state: 'OFFLINE' } });
  const disabled = await prisma.cluster.create({
    data: { communeId: w.communeA.id, name: 'Cụm loa tắt', enabled: false },
  });
  await prisma.clusterHealth.create({ data: { clusterId: disabled.id, state: 'ONLINE' } });

  await finishOneTranscode();
  // A maintenance job nobody works on, due a minute ago: it waits.
  await w.deps.jobs
    .queue('maintenance')
    .add('reconcile-transcodes', {}, { jobId: 'metrics-waiting', timestamp: Date.now() - 60_000 });
  await w.deps.jobs.enqueue('probe-clusters', {}, 'metrics-waiting-newer'); // the oldest still counts
  await w.deps.jobs.enqueue('cleanup-tmp', {}, 'metrics-delayed', { delayMs: HOUR });

  const res = await (await signIn(w.app, 'admin')).send('get', '/metrics').expect(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  samples = parsePrometheusText(res.text);
}, 60_000);

afterAll(async () => {
  await w.close();
});

const sample = (key: string) => samples.get(key);

describe('GET /metrics', () => {
  it('counts the jobs of each queue and the age of the oldest waiting one', () => {
    expect(sample('loa_queue_jobs{queue="maintenance",state="waiting"}')).toBe(2);
    expect(sample('loa_queue_jobs{queue="maintenance",state="delayed"}')).toBe(1);
    expect(sample('loa_queue_jobs{queue="maintenance",state="active"}')).toBe(0);
    expect(sample('loa_queue_jobs{queue="dispatch",state="waiting"}')).toBe(0);
    expect(sample('loa_queue_jobs{queue="transcode",state="failed"}')).toBe(0);
    const age = sample('loa_queue_oldest_waiting_seconds{queue="maintenance"}') ?? -1;
    expect(age).toBeGreaterThanOrEqual(60);
    expect(age).toBeLessThan(120);
    expect(sample('loa_queue_oldest_waiting_seconds{queue="transcode"}')).toBe(0);
  });

  it('has the run time of the finished transcode in its histogram', () => {
    expect(sample('loa_transcode_duration_seconds_count{outcome="completed"}')).toBe(1);
    expect(sample('loa_transcode_duration_seconds_bucket{le="1",outcome="completed"}')).toBe(1);
    const sum = sample('loa_transcode_duration_seconds_sum{outcome="completed"}') ?? 0;
    expect(sum).toBeGreaterThanOrEqual(0.25);
    expect(sum).toBeLessThan(1);
    expect(sample('loa_transcode_duration_seconds_count{outcome="failed"}')).toBe(0);
  });

  it('puts the start skews of the last 24 h in their buckets', () => {
    // 1 (emergency), 3, 8, 15, 400, 2000 ms; the 50 ms one was scheduled 30 h ago.
    const want: Record<string, number> = {
      '0.001': 1,
      '0.0025': 1,
      '0.005': 2,
      '0.01': 3,
      '0.02': 4,
      '0.05': 4,
      '0.1': 4,
      '0.25': 4,
      '0.5': 5,
      '1': 5,
      '2.5': 6,
      '60': 6,
      '+Inf': 6,
    };
    for (const [le, n] of Object.entries(want)) {
      expect(sample(`loa_broadcast_start_skew_seconds_bucket{le="${le}"}`), `le=${le}`).toBe(n);
    }
    expect(sample('loa_broadcast_start_skew_seconds_count')).toBe(6);
    expect(sample('loa_broadcast_start_skew_seconds_sum')).toBeCloseTo(2.427, 6);
  });

  it('counts ended broadcasts by status and kind, and by programme over the last 24 h', () => {
    expect(sample('loa_broadcasts_ended_total{kind="slot",status="aired"}')).toBe(6);
    expect(sample('loa_broadcasts_ended_total{kind="emergency",status="aired"}')).toBe(1);
    expect(sample('loa_broadcasts_ended_total{kind="slot",status="missed"}')).toBe(2);
    expect(sample('loa_broadcasts_ended_total{kind="slot",status="failed"}')).toBe(1);
    expect([...samples.keys()].some((k) => k.includes('status="planned"'))).toBe(false);

    expect(sample(`loa_broadcasts_ended_last_24h{programme="${PROGRAMME}",status="aired"}`)).toBe(6);
    expect(sample(`loa_broadcasts_ended_last_24h{programme="${PROGRAMME}",status="missed"}`)).toBe(1);
    expect(sample('loa_broadcasts_ended_last_24h{programme="none",status="missed"}')).toBe(1);
    expect(sample('loa_broadcasts_ended_last_24h{programme="none",status="failed"}')).toBe(1);
  });

  it('counts enabled clusters by health', async () => {
    const enabled = await w.db.prisma.cluster.count({ where: { enabled: true } });
    expect(sample('loa_clusters{state="online"}')).toBe(1);
    expect(sample('loa_clusters{state="offline"}')).toBe(1);
    expect(sample('loa_clusters{state="unknown"}')).toBe(enabled - 2);
    expect(sample('loa_metrics_source_up{source="database"}')).toBe(1);
    expect(sample('loa_metrics_source_up{source="redis"}')).toBe(1);
  });

  it('names no cluster, broadcast or commune in any label', () => {
    const ids = [w.clusterA, w.clusterB, w.communeA.id, w.communeB.id];
    expect([...samples.keys()].filter((k) => ids.some((id) => k.includes(id)))).toEqual([]);
  });

  it('refuses a scrape without a credential, or by a role that does not reach everything', async () => {
    const none = await request(w.app).get('/metrics').expect(401);
    expect(none.body.code).toBe('unauthenticated');
    const scheduler = await (await signIn(w.app, 'scheduler')).send('get', '/metrics').expect(403);
    expect(scheduler.body.code).toBe('forbidden');
    // The demo auditor reads one commune only.
    await (await signIn(w.app, 'auditor')).send('get', '/metrics').expect(403);
    await request(w.app).get('/metrics').set('Authorization', 'Bearer loa_not-a-token').expect(401);
  });

  it('answers Prometheus holding the API token of a global auditor, as README says', async () => {
    const admin = await signIn(w.app, 'admin');
    const user = await admin
      .send('post', '/api/users', {
        username: 'prometheus',
        displayName: 'Prometheus',
        password: 'prometheus-password',
        roles: [{ role: 'AUDITOR' }],
      })
      .expect(201);
    const token = await admin
      .send('post', '/api/tokens', { name: 'prometheus scrape', userId: user.body.id })
      .expect(201);
    const res = await request(w.app)
      .get('/metrics')
      .set('Authorization', `Bearer ${token.body.token}`)
      .expect(200);
    expect(parsePrometheusText(res.text).get('loa_metrics_source_up{source="database"}')).toBe(1);
    // The same token reads nothing an auditor may not: no users, no queue view.
    await request(w.app).get('/api/users').set('Authorization', `Bearer ${token.body.token}`).expect(403);
    await request(w.app)
      .get('/admin/queues/api/queues')
      .set('Authorization', `Bearer ${token.body.token}`)
      .expect(403);
  });

  it('reads the database once per cache period, however many scrapes ask', async () => {
    let clock = Date.now();
    const metrics = createOperationsMetrics({
      db: w.db.prisma,
      jobs: w.deps.jobs,
      logger: createLogger('silent'),
      cacheMs: 10_000,
      now: () => clock,
    });
    const failed = () =>
      metrics
        .render()
        .then((text) =>
          parsePrometheusText(text).get('loa_broadcasts_ended_total{kind="slot",status="failed"}'),
        );
    expect(await failed()).toBe(1);
    await broadcast({ status: 'FAILED', agoMs: HOUR });
    const storm = await Promise.all(Array.from({ length: 20 }, failed));
    expect(new Set(storm)).toEqual(new Set([1]));
    clock += 10_001;
    expect(await failed()).toBe(2);
  });

  it('still answers with the database part when Redis is down, within the time limit', async () => {
    const deadJobs = createJobProducer(
      openRedis(`redis://127.0.0.1:${await freePort()}`, 'producer'),
      'dead',
    );
    // BullMQ reports each failed connection attempt as an error event; these are expected here.
    for (const name of QUEUES) deadJobs.queue(name).on('error', () => {});
    try {
      const metrics = createOperationsMetrics({
        db: w.db.prisma,
        jobs: deadJobs,
        logger: createLogger('silent'),
        readTimeoutMs: 1_000,
      });
      const started = Date.now();
      const text = parsePrometheusText(await metrics.render());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(text.get('loa_metrics_source_up{source="redis"}')).toBe(0);
      expect(text.get('loa_metrics_source_up{source="database"}')).toBe(1);
      expect(text.get('loa_clusters{state="online"}')).toBe(1);
      expect([...text.keys()].some((k) => k.startsWith('loa_queue_jobs'))).toBe(false);
    } finally {
      await deadJobs.close();
    }
  });
});

describe('queue view (/admin/queues)', () => {
  it('shows an admin the board and its queues, read-only', async () => {
    const admin = await signIn(w.app, 'admin');
    const page = await admin.send('get', '/admin/queues').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<base href="/admin/queues/"');
    // The app's Content-Security-Policy covers the board's page too.
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const queues = await admin.send('get', '/admin/queues/api/queues').expect(200);
    const listed = (queues.body.queues as { name: string; readOnlyMode: boolean }[]).map((q) => [
      q.name,
      q.readOnlyMode,
    ]);
    expect(listed.sort()).toEqual(QUEUES.map((q) => [q, true]).sort());
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    await admin.send('get', `/admin/queues/${script}`).expect(200);
  });

  it('refuses any change, even by an admin holding the CSRF token', async () => {
    const admin = await signIn(w.app, 'admin');
    const res = await admin.send('put', '/admin/queues/api/queues/maintenance/pause').expect(403);
    expect(res.body.code).toBe('forbidden');
    expect((await w.deps.jobs.queue('maintenance').isPaused()) === false).toBe(true);
  });

  it('refuses a scheduler and a province admin, and sends a signed-out browser to sign in', async () => {
    for (const who of ['scheduler', 'province-admin']) {
      const res = await (await signIn(w.app, who)).send('get', '/admin/queues/api/queues').expect(403);
      expect(res.body.code).toBe('forbidden');
      await (await signIn(w.app, who)).send('get', '/admin/queues').expect(403);
    }
    const api = await request(w.app).get('/admin/queues/api/queues').expect(401);
    expect(api.body.code).toBe('unauthenticated');
    const page = await request(w.app).get('/admin/queues').set('Accept', 'text/html').expect(303);
    expect(page.headers.location).toBe('/');
  });
});
