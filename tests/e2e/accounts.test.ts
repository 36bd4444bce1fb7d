import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THROTTLE } from '../../server/modules/accounts/login-throttle.ts';
import { createTestWorld, PASSWORD, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
beforeAll(async () => {
  w = await createTestWorld();
});
afterAll(async () => {
  await w?.close();
});

describe('sign-in', () => {
  it('sets an httpOnly SameSite=Lax session cookie and never stores the token in clear', async () => {
    const res = await request(w.app)
      .post('/api/auth/login')
      .send({ username: 'officer', password: PASSWORD })
      .expect(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('loa_session='),
    );
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const token = cookie?.split(';')[0]?.split('=')[1] ?? '';
    expect(await w.db.prisma.session.count({ where: { tokenHash: token } })).toBe(0);
    expect(res.body.user.roles).toEqual([
      expect.objectContaining({ role: 'OFFICER', communeId: w.communeA.id }),
    ]);
  });

  it('refuses a wrong password with 401 invalid-credentials, the same as an unknown user', async () => {
    const wrong = await request(w.app)
      .post('/api/auth/login')
      .send({ username: 'auditor', password: 'nope-nope' });
    const unknown = await request(w.app)
      .post('/api/auth/login')
      .send({ username: 'nobody-here', password: 'nope' });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'invalid-credentials']);
    expect([unknown.status, unknown.body.code]).toEqual([401, 'invalid-credentials']);
  });

  it('throttles an account after repeated failures, even with the right password, and says when to retry', async () => {
    const target = 'scheduler';
    for (let i = 0; i < DEFAULT_THROTTLE.failuresPerAccount; i++) {
      // Different client addresses: the account itself is protected, whoever attacks it.
      await request(w.app)
        .post('/api/auth/login')
        .set('X-Forwarded-For', `10.0.0.${i}`)
        .send({ username: target, password: `guess-${i}` })
        .expect(401);
    }
    const blocked = await request(w.app)
      .post('/api/auth/login')
      .send({ username: target, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('too-many-login-attempts');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Other accounts are not locked out by it.
    await request(w.app)
      .post('/api/auth/login')
      .send({ username: 'auditor', password: PASSWORD })
      .expect(200);
  });

  it('throttles an IP that tries many accounts', async () => {
    const world = await createTestWorld({ throttle: { ...DEFAULT_THROTTLE, failuresPerIp: 4 } });
    try {
      for (let i = 0; i < 4; i++) {
        await request(world.app)
          .post('/api/auth/login')
          .send({ username: `user-${i}`, password: 'x' })
          .expect(401);
      }
      const res = await request(world.app)
        .post('/api/auth/login')
        .send({ username: 'admin', password: PASSWORD });
      expect([res.status, res.body.code]).toEqual([429, 'too-many-login-attempts']);
    } finally {
      await world.close();
    }
  });
});

describe('sessions', () => {
  it('ends on logout', async () => {
    const officer = await signIn(w.app, 'officer');
    await officer.send('post', '/api/auth/logout').expect(204);
    const res = await officer.agent.get('/api/auth/session');
    expect([res.status, res.body.code]).toEqual([401, 'unauthenticated']);
  });

  it('expires', async () => {
    const officer = await signIn(w.app, 'officer');
    await w.db.prisma.session.updateMany({ where: {}, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await officer.agent.get('/api/auth/session')).status).toBe(401);
  });

  it('stop working when the user is disabled', async () => {
    const auditor = await signIn(w.app, 'auditor');
    const admin = await signIn(w.app, 'admin');
    const user = await w.db.prisma.user.findUniqueOrThrow({ where: { username: 'auditor' } });
    await admin.send('patch', `/api/users/${user.id}`, { disabled: true }).expect(200);
    expect((await auditor.agent.get('/api/auth/session')).status).toBe(401);
    await request(w.app)
      .post('/api/auth/login')
      .send({ username: 'auditor', password: PASSWORD })
      .expect(401);
    await admin.send('patch', `/api/users/${user.id}`, { disabled: false }).expect(200);
  });

  it('password change needs the current password and ends other sessions', async () => {
    const admin = await signIn(w.app, 'admin');
    const created = await admin
      .send('post', '/api/users', {
        username: 'pw-user',
        displayName: 'Đổi mật khẩu',
        password: 'first-password',
      })
      .expect(201);
    const a = await signIn(w.app, 'pw-user', 'first-password');
    const b = await signIn(w.app, 'pw-user', 'first-password');
    const bad = await a.send('post', '/api/auth/password', {
      currentPassword: 'wrong',
      newPassword: 'second-password',
    });
    expect([bad.status, bad.body.code]).toEqual([401, 'invalid-credentials']);
    await a
      .send('post', '/api/auth/password', {
        currentPassword: 'first-password',
        newPassword: 'second-password',
      })
      .expect(204);
    expect((await a.agent.get('/api/auth/session')).status).toBe(200);
    expect((await b.agent.get('/api/auth/session')).status).toBe(401);
    await signIn(w.app, 'pw-user', 'second-password');
    expect(created.body.username).toBe('pw-user');
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated state change without the token', async () => {
    const admin = await signIn(w.app, 'admin');
    const res = await admin.agent.patch(`/api/clusters/${w.clusterA}`).send({ enabled: true });
    expect([res.status, res.body.code]).toEqual([403, 'csrf-invalid']);
    const forged = await admin.agent
      .patch(`/api/clusters/${w.clusterA}`)
      .set('x-csrf-token', `${admin.csrf.slice(0, -4)}AAAA`)
      .send({ enabled: true });
    expect([forged.status, forged.body.code]).toEqual([403, 'csrf-invalid']);
  });

  it('does not accept one session’s token for another session', async () => {
    const one = await signIn(w.app, 'admin');
    const two = await signIn(w.app, 'admin');
    const res = await two.agent
      .patch(`/api/clusters/${w.clusterA}`)
      .set('x-csrf-token', one.csrf)
      .send({ enabled: true });
    expect(res.status).toBe(403);
  });
});

describe('CSRF across tabs', () => {
  it('keeps a tab’s token valid when another tab of the same session asks for the session', async () => {
    const admin = await signIn(w.app, 'admin');
    const again = await admin.agent.get('/api/auth/session').expect(200);
    expect(again.body.csrfToken).toBe(admin.csrf);
    await admin.send('patch', `/api/clusters/${w.clusterA}`, { enabled: true }).expect(200);
  });
});

describe('API tokens', () => {
  it('are shown once, act with their user’s scope, and stop working when revoked', async () => {
    const admin = await signIn(w.app, 'admin');
    const officer = await w.db.prisma.user.findUniqueOrThrow({ where: { username: 'officer' } });
    const created = await admin
      .send('post', '/api/tokens', { name: 'Cổng thông tin tỉnh', userId: officer.id })
      .expect(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^loa_/);
    const listed = await admin.send('get', '/api/tokens').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const bearer = (path: string) => request(w.app).get(path).set('Authorization', `Bearer ${token}`);
    await bearer(`/api/clusters/${w.clusterA}`).expect(200);
    const other = await bearer(`/api/clusters/${w.clusterB}`);
    expect([other.status, other.body.code]).toEqual([404, 'not-found']);
    // No CSRF for bearer tokens, but the role still applies: an officer cannot edit clusters.
    const edit = await request(w.app)
      .patch(`/api/clusters/${w.clusterA}`)
      .set('Authorization', `Bearer ${token}`)
      .send({ enabled: false });
    expect([edit.status, edit.body.code]).toEqual([403, 'forbidden']);

    await admin.send('delete', `/api/tokens/${created.body.id}`).expect(204);
    expect((await bearer(`/api/clusters/${w.clusterA}`)).status).toBe(401);
  });
});

describe('bad input', () => {
  it.each([
    ['an unknown field', { name: 'Cụm mới', colour: 'red' }, 'body.colour'],
    ['a wrong type', { name: 'Cụm mới', enabled: 'yes' }, 'body.enabled'],
    ['an over-long string', { name: 'x'.repeat(121) }, 'body.name'],
    ['an empty name', { name: '   ' }, 'body.name'],
    [
      'a bad driver config',
      { driverKind: 'RTP', driverConfig: { host: 'loa.local', port: 5005 } },
      'body.driverConfig.port',
    ],
  ])('answers %s with 400 naming the field', async (_case, body, field) => {
    const admin = await signIn(w.app, 'admin');
    const res = await admin.send('patch', `/api/clusters/${w.clusterA}`, body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('invalid-request');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers a malformed id with 400 and an unknown id with 404', async () => {
    const admin = await signIn(w.app, 'admin');
    const bad = await admin.send('get', '/api/clusters/not-a-uuid');
    expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'params.clusterId']);
    const missing = await admin.send('get', '/api/clusters/00000000-0000-4000-8000-000000000000');
    expect([missing.status, missing.body.code]).toEqual([404, 'not-found']);
  });

  it('answers a duplicate with 409', async () => {
    const admin = await signIn(w.app, 'admin');
    const dup = await admin.send('post', '/api/users', {
      username: 'officer',
      displayName: 'Trùng',
      password: 'long-enough-pw',
    });
    expect([dup.status, dup.body.code]).toEqual([409, 'conflict']);
  });

  it('keeps secrets of a driver out of every answer', async () => {
    const admin = await signIn(w.app, 'admin');
    const res = await admin
      .send('patch', `/api/clusters/${w.clusterA}`, {
        driverKind: 'HTTP_PUSH',
        driverConfig: {
          url: 'http://127.0.0.1:9/axis-cgi/audio/transmit.cgi',
          username: 'root',
          password: 'mật-khẩu',
        },
      })
      .expect(200);
    expect(res.body.driverConfig).toEqual(expect.objectContaining({ username: 'root' }));
    expect(JSON.stringify(res.body)).not.toContain('mật-khẩu');
    const audit = await admin.send('get', `/api/audit?entityId=${w.clusterA}`).expect(200);
    expect(JSON.stringify(audit.body)).not.toContain('mật-khẩu');
    // Changing another setting keeps the stored password (the form cannot resend it).
    await admin
      .send('patch', `/api/clusters/${w.clusterA}`, {
        driverConfig: { url: 'http://127.0.0.1:9/axis-cgi/audio/transmit.cgi', username: 'operator' },
      })
      .expect(200);
    const stored = await w.db.prisma.cluster.findUniqueOrThrow({ where: { id: w.clusterA } });
    expect(stored.driverConfig).toMatchObject({ username: 'operator', password: 'mật-khẩu' });
    await admin
      .send('patch', `/api/clusters/${w.clusterA}`, { driverKind: 'RECORDER', driverConfig: {} })
      .expect(200);
  });

  it('keeps an Icecast source password out of every answer, and keeps it on a change', async () => {
    const admin = await signIn(w.app, 'admin');
    const icecast = { url: 'http://127.0.0.1:8000', mount: '/xa-dao-san', password: 'nguồn-bí-mật' };
    const res = await admin
      .send('patch', `/api/clusters/${w.clusterA}`, { driverKind: 'ICECAST', driverConfig: icecast })
      .expect(200);
    expect(res.body.driverConfig).toEqual({
      ...icecast,
      password: undefined,
      username: 'source',
      filler: 'silence',
      holdSec: 900,
    });
    // The password is required, yet the form cannot resend it: a change keeps the stored one.
    const changed = await admin
      .send('patch', `/api/clusters/${w.clusterA}`, {
        driverConfig: { ...icecast, password: undefined, filler: 'none' },
      })
      .expect(200);
    const listed = await admin.send('get', `/api/clusters/${w.clusterA}`).expect(200);
    const audit = await admin.send('get', `/api/audit?entityId=${w.clusterA}`).expect(200);
    for (const answer of [res.body, changed.body, listed.body, audit.body]) {
      expect(JSON.stringify(answer)).not.toContain('nguồn-bí-mật');
    }
    const stored = await w.db.prisma.cluster.findUniqueOrThrow({ where: { id: w.clusterA } });
    expect(stored.driverConfig).toMatchObject({ filler: 'none', password: 'nguồn-bí-mật' });
    await admin
      .send('patch', `/api/clusters/${w.clusterA}`, { driverKind: 'RECORDER', driverConfig: {} })
      .expect(200);
  });

  it('names an unknown driver setting by its path', async () => {
    const admin = await signIn(w.app, 'admin');
    const res = await admin.send('patch', `/api/clusters/${w.clusterA}`, { driverConfig: { volume: 11 } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('body.driverConfig.volume');
  });

  it('titles every problem in Vietnamese by default', async () => {
    const res = await request(w.app).get('/api/auth/session');
    expect(res.body).toMatchObject({ code: 'unauthenticated', title: 'Cần đăng nhập' });
  });
});

describe('audit trail', () => {
  it('records who changed what, before and after, from where', async () => {
    const admin = await signIn(w.app, 'admin');
    await admin.send('patch', `/api/clusters/${w.clusterA}`, { location: 'Sân chợ mới' }).expect(200);
    const [event] = (await admin.send('get', `/api/audit?entityType=cluster&entityId=${w.clusterA}&limit=1`))
      .body;
    expect(event).toMatchObject({
      actorName: 'admin',
      action: 'cluster.update',
      communeId: w.communeA.id,
      after: expect.objectContaining({ location: 'Sân chợ mới' }),
      before: expect.objectContaining({ location: expect.any(String) }),
    });
    expect(event.ip).not.toBe('');
  });

  it('is append-only in the database itself', async () => {
    const prisma = w.db.prisma;
    await signIn(w.app, 'auditor'); // at least one event to try to change
    await expect(prisma.$executeRaw`UPDATE audit_event SET "actorName" = 'someone else'`).rejects.toThrow(
      /append-only/,
    );
    await expect(prisma.$executeRaw`DELETE FROM audit_event`).rejects.toThrow(/append-only/);
    expect(await prisma.auditEvent.count({ where: { actorName: 'someone else' } })).toBe(0);
  });
});
