// The key in a commune's market-day feed URL. Phone calendar apps subscribe to a URL and cannot
// send an Authorization header, so the feed (market days only, nothing private) is read with a
// key derived from the server secret: no table, the same key from every API process.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function feedKey(secret: string, communeId: string): string {
  return createHmac('sha256', secret)
    .update(`market-days-feed:${communeId}`)
    .digest('base64url')
    .slice(0, 32);
}

export function isFeedKey(secret: string, communeId: string, key: string): boolean {
  const expected = Buffer.from(feedKey(secret, communeId));
  const given = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
