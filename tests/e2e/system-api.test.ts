import type { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolVersion } from '../../media/ffmpeg-runner.ts';
import { openRedis } from '../../platform/redis.ts';
import { freePort } from '../../scripts/redis-child.ts';
import { createApp, type LoaApp } from '../../server/app.ts';
import { createTestWorld, type TestWorld } from '../setup/test-app.ts';

let world: TestWorld;
let app: LoaApp;
let appWithRedisDown: LoaApp;
let deadRedis: Redis;

beforeAll(async () => {
  world = await createTestWorld();
  app = world.app;
  // Nothing listens on this port: Redis is "down" for this app.
  deadRedis = openRedis(`redis://127.0.0.1:${await freePort()}`, 'probe');
  appWithRedisDown = createApp({
    ...world.deps,
    redis: deadRedis,
    readinessChecks: {
      database: () => world.db.prisma.$queryRaw`SELECT 1`,
      redis: () => deadRedis.ping(),
      ffmpeg: () => toolVersion('ffmpeg'),
    },
  });
});

afterAll(async () => {
  deadRedis.disconnect();
  await world.close();
});

describe('health and readiness', () => {
  it('GET /healthz answers while the process is up', async () => {
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('GET /readyz is 200 when database, Redis and ffmpeg answer', async () => {
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body.status).toBe('ready');
    expect(Object.keys(res.body.parts).sort()).toEqual(['database', 'ffmpeg', 'redis']);
  });

  it('GET /readyz is 503 problem+json naming Redis when Redis is down', async () => {
    const res = await request(appWithRedisDown).get('/readyz').expect(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('not-ready');
    expect(res.body.detail).toMatch(/^Not ready: redis: /);
    expect(res.body.parts.redis.ok).toBe(false);
    expect(res.body.parts.database.ok).toBe(true);
    expect(res.body.parts.ffmpeg.ok).toBe(true);
  });
});

describe('API conventions', () => {
  it('answers an unknown API route with 404 problem+json, in Vietnamese by default', async () => {
    const res = await request(app).get('/api/nothing-here').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 404,
      code: 'route-not-found',
      title: 'Không có địa chỉ API này',
    });
  });

  it('speaks English when asked', async () => {
    const res = await request(app)
      .get('/api/nothing-here')
      .set('Accept-Language', 'en-GB,en;q=0.9')
      .expect(404);
    expect(res.body.title).toBe('No such API route');
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await request(app)
      .post('/api/nothing-here')
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(res.body.code).toBe('invalid-json');
  });

  it('serves an OpenAPI 3.1 document listing every route', async () => {
    const res = await request(app).get('/api/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`),
    );
    const declared = app.locals.routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(declared.sort());
    expect(res.body.components.schemas.Problem).toBeDefined();
  });

  it('serves browsable API docs at /api/docs', async () => {
    await request(app).get('/api/docs').expect(301).expect('Location', '/api/docs/');
    const page = await request(app).get('/api/docs/').expect(200);
    expect(page.text).toContain('swagger-ui-bundle.js');
    await request(app)
      .get('/api/docs/swagger-ui-bundle.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
  });
});
