// Request logs must not carry credentials: a session cookie, a CSRF token or an API token copied
// from a log file would let anyone act as that user. They are also read by people: one short line
// per request (method, path, status, time, user), pretty on a terminal and JSON elsewhere, and a
// client going away in the middle of a download is not an error.
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import { createApp } from '../../server/app.ts';
import { serve } from '../../server/http/serve.ts';
import { createTestWorld, PASSWORD, signIn, type TestWorld } from '../setup/test-app.ts';

const lines: string[] = [];
const listeners = new Set<(line: string) => void>();
let world: TestWorld;

/** Resolves with the first line (logged already or to come) that matches. */
function logLine(match: (line: string) => boolean): Promise<string> {
  const found = lines.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const listener = (line: string) => {
      if (!match(line)) return;
      listeners.delete(listener);
      resolve(line);
    };
    listeners.add(listener);
  });
}

beforeAll(async () => {
  const logger = createLogger(
    'debug',
    {},
    {
      write: (line: string) => {
        lines.push(line);
        for (const listener of [...listeners]) listener(line);
      },
    },
  );
  world = await createTestWorld({ logger });
});
afterAll(() => world.close());

/** The request lines (one per request) logged for a path. */
const requestLines = (url: string) =>
  lines.map((line) => JSON.parse(line)).filter((entry) => entry.http?.url === url);

describe('request logs', () => {
  it('record each request without its cookies, CSRF token or Bearer token', async () => {
    const agent = request.agent(world.app);
    const login = await agent.post('/api/auth/login').send({ username: 'admin', password: PASSWORD });
    expect(login.status).toBe(200);
    const setCookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const session = /loa_session=([^;]+)/.exec(setCookies.join('\n'))?.[1] as string;
    const csrf = login.body.csrfToken as string;
    const me = await agent.get('/api/auth/session');
    const created = await agent
      .post('/api/tokens')
      .set('x-csrf-token', csrf)
      .send({ name: 'nhật ký', userId: me.body.user.id });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    const bearer = await request(world.app).get('/api/auth/session').set('authorization', `Bearer ${token}`);
    expect(bearer.status).toBe(200);
    // The key of a calendar feed's URL is a credential too.
    const officer = await signIn(world.app, 'officer');
    const { path: feedPath } = (
      await officer.send('get', `/api/communes/${world.communeA.id}/market-days/subscription`).expect(200)
    ).body as { path: string };
    await request(world.app).get(feedPath).expect(200);
    const feedKey = new URL(feedPath, 'http://loa').searchParams.get('key') as string;

    const log = lines.join('');
    expect(log.match(/"url":"\/api\/auth\/session"/g)).toHaveLength(2);
    expect(log).toContain('[redacted]');
    for (const secret of [session, csrf, token, feedKey]) {
      expect(secret.length).toBeGreaterThan(16);
      expect(log).not.toContain(secret);
    }
  });

  it('are one short line per request: method, path, status, time and user, no headers', async () => {
    const officer = await signIn(world.app, 'officer');
    await officer.send('get', '/api/bulletins').expect(200);
    await request(world.app).get('/api/bulletins').query({ status: 'DRAFT' }).expect(401);

    const [signedIn, anonymous, ...more] = requestLines('/api/bulletins').concat(
      requestLines('/api/bulletins?status=DRAFT'),
    );
    expect(more).toEqual([]);
    expect(signedIn).toMatchObject({
      level: 30,
      msg: expect.stringMatching(/^GET \/api\/bulletins 200 \d+ ms officer$/),
      http: { method: 'GET', url: '/api/bulletins', status: 200, ms: expect.any(Number), user: 'officer' },
    });
    expect(anonymous).toMatchObject({
      msg: expect.stringMatching(/^GET \/api\/bulletins\?status=DRAFT 401 \d+ ms -$/),
      http: { status: 401 },
    });
    expect(anonymous.http.user).toBeUndefined();
    for (const line of lines) {
      expect(line).not.toMatch(/"headers"|user-agent|"remoteAddress"/);
      expect(Buffer.byteLength(line)).toBeLessThan(400);
    }
  });

  it('are pretty on a terminal and JSON elsewhere', async () => {
    const seen: string[] = [];
    const terminal = { isTTY: true, write: (line: string) => void seen.push(line) };
    const pretty = createApp({ ...world.deps, logger: createLogger('info', { process: 'loa' }, terminal) });
    await request(pretty).get('/api/auth/session').expect(401);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colours on a terminal
    const plain = seen.join('').replace(/\u001b\[[\d;]*m/g, '');
    expect(plain).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO +GET \/api\/auth\/session 401 \d+ ms -$/m);
    expect(plain).not.toContain('{');
    expect(() => JSON.parse(lines[0] as string)).not.toThrow();
  });

  it('a client that drops a ranged audio download is not an error', async () => {
    const prisma = world.db.prisma;
    const admin = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
    const bulletin = await prisma.bulletin.create({
      data: { communeId: world.communeA.id, title: 'Tin nghe dở', authorId: admin.id, status: 'READY' },
    });
    const path = `renditions/${bulletin.id}/0/programme.mp3`;
    const full = world.deps.store.resolveRelative(path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, Buffer.alloc(32 * 1024 * 1024, 0x55)); // far more than socket buffers hold
    const rendition = await prisma.rendition.create({
      data: {
        bulletinId: bulletin.id,
        revision: 0,
        profileId: 'mp3-24k',
        path,
        mimeType: 'audio/mpeg',
        codec: 'mp3',
        sampleRate: 24000,
        channels: 1,
        bytes: 32 * 1024 * 1024,
        sha256: 'c'.repeat(64),
        durationSec: 60,
        integratedLufs: -18,
        truePeakDbtp: -2,
      },
    });
    const officer = await signIn(world.app, 'officer');
    const cookie = (officer.agent as unknown as { jar: { getCookies(a: object): string[] } }).jar
      .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
      .map(String)
      .join('; ');
    const url = `/api/bulletins/${bulletin.id}/renditions/${rendition.id}/audio`;

    const server: Server = await serve(world.app, 0, '127.0.0.1');
    try {
      const { port } = server.address() as AddressInfo;
      const answered = new Promise<number>((resolve, reject) => {
        const req = get(
          { host: '127.0.0.1', port, path: url, headers: { cookie, range: 'bytes=1000-' } },
          (res) => {
            res.once('data', () => {
              resolve(res.statusCode as number);
              req.destroy(); // the player seeks elsewhere
            });
          },
        );
        req.on('error', (err) => {
          if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
        });
      });
      expect(await answered).toBe(206);
      // The download's own end: quietly noted, or (before) reported as an error.
      const end = await logLine(
        (line) => line.includes(url) && /client went away|unhandled error/.test(line),
      );
      expect(end).toContain('client went away');
      expect(JSON.parse(end).level).toBeLessThan(40);
      const requestLine = JSON.parse(
        await logLine((line) => line.includes(`"url":"${url}"`) && line.includes('"http"')),
      );
      expect(requestLine).toMatchObject({ level: 30, http: { status: 206, user: 'officer' } });
      expect(requestLine.msg).toMatch(/ 206 \d+ ms officer \(client went away\)$/);
      expect(lines.join('')).not.toMatch(/ERR_HTTP_HEADERS_SENT|unhandled error/);
    } finally {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
  });
});
