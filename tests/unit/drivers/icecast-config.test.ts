// The Icecast config refuses what the driver cannot use, and its password never leaves the server.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DriverConfigByKind, publicDriverConfig, secretsOf } from '../../../domain/driver-config.ts';
import { createLogger } from '../../../platform/logger.ts';

const icecast = DriverConfigByKind.ICECAST;
const OK = { url: 'http://10.0.0.2:8000', mount: '/xa-dao-san', password: 'hackme-ở-đây' };

function refusal(config: unknown): string[] {
  const parsed = icecast.safeParse(config);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('Icecast cluster config', () => {
  it('defaults the source user, the silence filler and its hold', () => {
    expect(icecast.parse(OK)).toEqual({ ...OK, username: 'source', filler: 'silence', holdSec: 900 });
    expect(
      icecast.parse({ ...OK, url: 'http://[fd00::2]:8000/', username: 'loa', filler: 'none' }),
    ).toMatchObject({
      username: 'loa',
      filler: 'none',
    });
  });

  it.each([
    ['https (no TLS source here)', { ...OK, url: 'https://10.0.0.2:8000' }, 'url: Invalid URL'],
    ['another scheme', { ...OK, url: 'icecast://10.0.0.2:8000' }, 'url: Invalid URL'],
    [
      'credentials in the URL',
      { ...OK, url: 'http://source:pw@10.0.0.2:8000' },
      'url: no user name or password',
    ],
    ['a path in the URL', { ...OK, url: 'http://10.0.0.2:8000/xa-dao-san' }, 'url: the server only'],
    ['a query', { ...OK, url: 'http://10.0.0.2:8000/?x=1' }, 'url: the server only'],
    ['a mount without its slash', { ...OK, mount: 'xa-dao-san' }, 'mount: like /xa-dao-san'],
    ['a mount with a path', { ...OK, mount: '/a/b' }, 'mount: like /xa-dao-san'],
    ['a colon in the user', { ...OK, username: 'a:b' }, 'username: no colon'],
    ['no password', { url: OK.url, mount: OK.mount }, 'password:'],
    ['an empty password', { ...OK, password: '' }, 'password:'],
    ['a newline in the password', { ...OK, password: 'a\r\nX-Evil: 1' }, 'password: no control character'],
    ['another filler', { ...OK, filler: 'jingle' }, 'filler:'],
    ['an unknown field', { ...OK, bitrate: 128 }, ':'],
  ])('refuses %s', (_, config, message) => {
    expect(refusal(config).join('; ')).toContain(message);
  });

  it('keeps the password out of what the API answers, and the logger redacts a config logged whole', () => {
    const stored = icecast.parse(OK);
    expect(publicDriverConfig(stored)).toEqual({
      url: OK.url,
      mount: OK.mount,
      username: 'source',
      filler: 'silence',
      holdSec: 900,
    });
    expect(secretsOf(stored)).toEqual({ password: OK.password });
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, next) {
        out += String(chunk);
        next();
      },
    });
    const logger = createLogger('info', {}, sink);
    logger.info({ config: stored, cluster: { driverConfig: stored } }, 'configured');
    logger.info(stored, 'flat');
    expect(out).toContain('/xa-dao-san');
    expect(out).not.toContain('hackme');
  });
});
