// Only a browser asking for a page gets the web app; any other unknown path (a monitor probing
// /stats, a script, a missing asset) gets a 404 problem, never the app's HTML with a 200. /metrics
// is a route of its own (Operations): without credentials it is a 401 problem, never the app.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestWorld } from '../setup/test-app.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const PAGE = '<!doctype html><title>Loa</title><div id="root"></div>';

let webDist: string;
let world: TestWorld;

beforeAll(async () => {
  webDist = await mkdtemp(join(tmpdir(), 'loa-web-dist-'));
  await mkdir(join(webDist, 'assets'));
  await writeFile(join(webDist, 'index.html'), PAGE);
  await writeFile(join(webDist, 'assets', 'app.js'), 'console.log("loa")');
  world = await createTestWorld({ webDist });
});
afterAll(async () => {
  await world?.close();
  if (webDist) await rm(webDist, { recursive: true, force: true });
});

function expectNotFoundProblem(res: request.Response, method: string, path: string) {
  expect(res.status).toBe(404);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: 404, code: 'route-not-found', instance: path });
  expect(res.body.detail).toContain(`${method} ${path.split('?')[0]}`);
  expect(res.text).not.toContain('<div id="root">');
}

describe('unknown paths', () => {
  it('a browser asking for a page gets the web app (deep links work)', async () => {
    for (const path of ['/', '/bulletins/123/edit', '/calendars?week=2']) {
      const res = await request(world.app).get(path).set('accept', BROWSER_ACCEPT);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toBe(PAGE);
    }
  });

  it('built assets are served as files', async () => {
    const res = await request(world.app).get('/assets/app.js').expect(200);
    expect(res.text).toBe('console.log("loa")');
  });

  it('GET /stats, as a monitor asks, is a 404 problem; /metrics without credentials a 401 problem', async () => {
    for (const accept of [
      undefined,
      '*/*',
      'text/plain',
      'application/json',
      'application/openmetrics-text',
    ]) {
      const call = request(world.app).get('/stats');
      const res = await (accept ? call.set('accept', accept) : call);
      expectNotFoundProblem(res, 'GET', '/stats');
      const metrics = request(world.app).get('/metrics');
      const refused = await (accept ? metrics.set('accept', accept) : metrics);
      expect(refused.status).toBe(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.text).not.toContain('<div id="root">');
    }
  });

  it('a missing asset, a non-GET method and an unknown API path are 404 problems, even for a browser', async () => {
    expectNotFoundProblem(
      await request(world.app).get('/assets/missing.js').set('accept', '*/*'),
      'GET',
      '/assets/missing.js',
    );
    expectNotFoundProblem(
      await request(world.app).post('/bulletins/123').set('accept', BROWSER_ACCEPT).send({}),
      'POST',
      '/bulletins/123',
    );
    expectNotFoundProblem(
      await request(world.app).get('/api/nothing-here').set('accept', BROWSER_ACCEPT),
      'GET',
      '/api/nothing-here',
    );
    expectNotFoundProblem(await request(world.app).get('/api').set('accept', BROWSER_ACCEPT), 'GET', '/api');
  });

  it('a HEAD without asking for HTML is a 404 too', async () => {
    const res = await request(world.app).head('/stats');
    expect(res.status).toBe(404);
  });
});
