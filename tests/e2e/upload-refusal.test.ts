// An upload refused before its body is read (a language not in the list, a role that may not
// upload) must reach a fast client as the problem it is, not as a broken pipe or a reset: the
// server reads and discards the rest of the body (up to a bound) before it lets the connection go
// (RFC 9112 §9.6).
import { once } from 'node:events';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../server/http/serve.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

const TRIES = 40;
const BODY_BYTES = 12 * 1024 * 1024;
const BOUNDARY = 'loa-refusal-boundary';

let world: TestWorld;
let server: Server;
let port: number;
let body: Buffer;

beforeAll(async () => {
  world = await createTestWorld();
  server = await serve(world.app, 0, '127.0.0.1');
  port = (server.address() as AddressInfo).port;
  body = Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="ban-tin.wav"\r\n` +
        'Content-Type: audio/wav\r\n\r\n',
    ),
    Buffer.alloc(BODY_BYTES, 0x2a),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
});
afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
  await world?.close();
});

function cookieOf(user: SignedIn): string {
  const jar = (user.agent as unknown as { jar: { getCookies(a: object): { toValueString(): string }[] } })
    .jar;
  return jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .map((c) => c.toValueString())
    .join('; ');
}

/**
 * Sends the request and its whole body at once on a connection of its own and only then reads the
 * answer, as many clients do (curl, scripts); resolves with what the client saw.
 */
function upload(path: string, user: SignedIn): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.pause();
    const head =
      `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookieOf(user)}\r\n` +
      `X-CSRF-Token: ${user.csrf}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const chunks: Buffer[] = [];
    let failed: string | undefined;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      failed ??= err.code ?? err.message;
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      const answer = Buffer.concat(chunks).toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      const code = /"code":"([^"]+)"/.exec(answer)?.[1];
      resolve(status ? `${status} ${code}` : `no answer (${failed ?? 'closed'})`);
    });
    socket.write(head);
    socket.write(body, () => socket.resume());
  });
}

async function tally(path: string, user: SignedIn): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < TRIES; i++) {
    const outcome = await upload(path, user);
    seen[outcome] = (seen[outcome] ?? 0) + 1;
  }
  return seen;
}

describe('an upload refused early', () => {
  it('a language not in the list: a fast client always reads the 400', async () => {
    const officer = await signIn(world.app, 'officer');
    const { body: bulletin } = await officer
      .send('post', '/api/bulletins', { communeId: world.communeA.id, title: 'Tin gửi nhanh' })
      .expect(201);
    const seen = await tally(`/api/bulletins/${bulletin.id}/tracks/xyz`, officer);
    expect(seen).toEqual({ '400 unknown-language': TRIES });
  }, 120_000);

  it('a role that may not upload: a fast client always reads the 403', async () => {
    const officer = await signIn(world.app, 'officer');
    const { body: bulletin } = await officer
      .send('post', '/api/bulletins', { communeId: world.communeA.id, title: 'Tin gửi nhầm vai trò' })
      .expect(201);
    const auditor = await signIn(world.app, 'auditor');
    const seen = await tally(`/api/bulletins/${bulletin.id}/tracks/vie`, auditor);
    expect(Object.keys(seen)).toHaveLength(1);
    expect(Object.keys(seen)[0]).toMatch(/^403 /);
  }, 120_000);
});
