// Request logs must not carry credentials: a session cookie, a CSRF token or an API token copied
// from a log file would let anyone act as that user.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import { createTestWorld, PASSWORD, type TestWorld } from '../setup/test-app.ts';

const lines: string[] = [];
let world: TestWorld;

beforeAll(async () => {
  const logger = createLogger('info', {}, { write: (line: string) => lines.push(line) });
  world = await createTestWorld({ logger });
});
afterAll(() => world.close());

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

    const log = lines.join('');
    expect(log.match(/"url":"\/api\/auth\/session"/g)).toHaveLength(2);
    expect(log).toContain('[redacted]');
    for (const secret of [session, csrf, token]) {
      expect(secret.length).toBeGreaterThan(16);
      expect(log).not.toContain(secret);
    }
  });
});
