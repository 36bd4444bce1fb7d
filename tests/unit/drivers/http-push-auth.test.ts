// Which login the HTTP push driver gives a device, from its challenges.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chooseLogin, parseChallenges } from '../../../worker/drivers/http-push/auth.ts';

const credentials = { username: 'root', password: 'mật-khẩu' };
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('HTTP push login', () => {
  it('reads several challenges, in one header or many, with commas inside quotes', () => {
    expect(
      parseChallenges([
        'Digest realm="a, b", nonce="n1", qop="auth,auth-int", algorithm=MD5, Basic realm="x"',
        'Negotiate',
      ]),
    ).toEqual([
      { scheme: 'digest', params: { realm: 'a, b', nonce: 'n1', qop: 'auth,auth-int', algorithm: 'MD5' } },
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'negotiate', params: {} },
    ]);
  });

  it('answers Digest MD5 (qop auth) rather than Basic, with a response the device can check', () => {
    const login = chooseLogin(
      parseChallenges([
        'Basic realm="AXIS"',
        'Digest realm="AXIS", nonce="abc", algorithm=SHA-256, qop="auth"',
        'Digest realm="AXIS", nonce="abc", qop="auth-int,auth", opaque="o"',
      ]),
      credentials,
    );
    expect(login.scheme).toBe('digest');
    if (login.scheme === 'unsupported') return;
    const header = login.authorization('POST', '/axis-cgi/audio/transmit.cgi');
    const p = Object.fromEntries(
      [...header.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]),
    );
    expect(p).toMatchObject({ username: 'root', realm: 'AXIS', nonce: 'abc', qop: 'auth', opaque: 'o' });
    const ha1 = md5(`root:AXIS:${credentials.password}`);
    const ha2 = md5('POST:/axis-cgi/audio/transmit.cgi');
    expect(p.response).toBe(md5(`${ha1}:abc:${p.nc}:${p.cnonce}:auth:${ha2}`));
  });

  it('answers Basic when that is all the device offers', () => {
    const login = chooseLogin(parseChallenges(['Basic realm="AXIS"']), credentials);
    expect(login.scheme).toBe('basic');
    if (login.scheme !== 'basic') return;
    expect(login.authorization('POST', '/')).toBe(
      `Basic ${Buffer.from(`root:${credentials.password}`).toString('base64')}`,
    );
  });

  it('says what the device offered when Loa cannot answer it', () => {
    const login = chooseLogin(
      parseChallenges([
        'Digest realm="AXIS", nonce="abc", algorithm=SHA-256',
        'Digest realm="AXIS", nonce="abc", qop="auth-int"',
        'Bearer realm="x"',
      ]),
      credentials,
    );
    expect(login).toEqual({ scheme: 'unsupported', offered: 'digest SHA-256, digest, bearer' });
  });
});
