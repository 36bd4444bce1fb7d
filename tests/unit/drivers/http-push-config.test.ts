// The HTTP push config refuses what the driver cannot use: other schemes, credentials in the URL,
// a URL with no CGI path, a user name the Basic/Digest headers cannot carry.
import { describe, expect, it } from 'vitest';
import { DriverConfigByKind, publicDriverConfig } from '../../../domain/driver-config.ts';
import { localFieldMessage } from '../../../server/http/details.ts';

const push = DriverConfigByKind.HTTP_PUSH;
const URL_OK = 'http://10.0.0.5/axis-cgi/audio/transmit.cgi';

function refusal(config: unknown): string[] {
  const parsed = push.safeParse(config);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('HTTP push cluster config', () => {
  it('takes an http or https device URL with its path, defaulting to µ-law 8 kHz', () => {
    expect(push.parse({ url: URL_OK })).toEqual({ url: URL_OK, format: 'audio/basic' });
    const full = {
      url: 'https://[fd00::5]:8443/axis-cgi/audio/transmit.cgi',
      username: 'root',
      password: 'mật-khẩu',
      format: 'audio/axis-mulaw-128',
    };
    expect(push.parse(full)).toEqual(full);
    expect(publicDriverConfig(push.parse(full))).not.toHaveProperty('password');
  });

  it.each([
    ['another scheme', { url: 'ftp://10.0.0.5/axis-cgi/audio/transmit.cgi' }, 'url: Invalid URL'],
    ['a file URL', { url: 'file:///etc/passwd' }, 'url: Invalid URL'],
    ['credentials in the URL', { url: 'http://root:pw@10.0.0.5/a.cgi' }, 'url: no user name or password'],
    ['an empty userinfo', { url: 'http://@10.0.0.5/a.cgi' }, 'url: no user name or password'],
    ['no path', { url: 'http://10.0.0.5' }, 'url: the path of the device CGI'],
    ['only a slash', { url: 'http://10.0.0.5/' }, 'url: the path of the device CGI'],
    ['a fragment', { url: `${URL_OK}#x` }, 'url: no fragment'],
    ['a colon in the user name', { url: URL_OK, username: 'a:b', password: 'x' }, 'username: no colon'],
    ['a colon in the password', { url: URL_OK, username: 'a', password: 'x:y' }, 'password: no colon'],
    ['a user name alone', { url: URL_OK, username: 'root' }, 'password: a user name and a password'],
    ['a password alone', { url: URL_OK, password: 'x' }, 'password: a user name and a password'],
    ['an unknown format', { url: URL_OK, format: 'audio/mpeg' }, 'format:'],
    ['an unknown field', { url: URL_OK, redirect: true }, ':'],
  ])('refuses %s', (_case, config, issue) => {
    expect(refusal(config).join('\n')).toContain(issue);
  });

  it('says each of its own refusals in Vietnamese too', () => {
    const own = [
      { url: 'http://root:pw@10.0.0.5/a.cgi' },
      { url: 'http://10.0.0.5/' },
      { url: `${URL_OK}#x` },
      { url: URL_OK, username: 'a:b', password: 'x' },
      { url: URL_OK, username: 'a', password: 'x:y' },
      { url: URL_OK, username: 'root' },
    ].map((config) => push.safeParse(config).error?.issues[0]?.message ?? '');
    for (const message of own) expect(localFieldMessage(message, 'vi')).not.toBe(message);
    expect(localFieldMessage(own[1] ?? '', 'vi')).toBe(
      'đường dẫn CGI của thiết bị, ví dụ /axis-cgi/audio/transmit.cgi',
    );
  });

  it('names a malformed URL without throwing', () => {
    expect(refusal({ url: 'not a url' })).toEqual(['url: Invalid URL']);
  });
});
