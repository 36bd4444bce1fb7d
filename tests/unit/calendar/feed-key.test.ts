import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { feedKey, isFeedKey } from '../../../server/modules/calendars/feed-key.ts';

const secret = 'a-secret-of-at-least-thirty-two-chars';
const commune = '0b6c5d9e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';

describe('market-day feed keys', () => {
  it('keeps the URLs handed out before key versions existed working as version 1', () => {
    const before = createHmac('sha256', secret)
      .update(`market-days-feed:${commune}`)
      .digest('base64url')
      .slice(0, 32);
    expect(feedKey(secret, commune, 1)).toBe(before);
  });

  it('accepts only the key of the current version', () => {
    const v1 = feedKey(secret, commune, 1);
    const v2 = feedKey(secret, commune, 2);
    expect(v2).not.toBe(v1);
    expect(isFeedKey(secret, commune, 2, v2)).toBe(true);
    expect(isFeedKey(secret, commune, 2, v1)).toBe(false);
    expect(isFeedKey(secret, commune, 2, v2.slice(1))).toBe(false);
    expect(isFeedKey(secret, commune.replace('0b', '0c'), 2, v2)).toBe(false);
  });
});
