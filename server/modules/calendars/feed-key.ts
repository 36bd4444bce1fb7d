// The key in a commune's market-day feed URL. Phone calendar apps subscribe to a URL and cannot
// send an Authorization header, so the feed (market days only, nothing private) is read with a
// key derived from the server secret and the commune's key version: no key table, the same key
// from every API process, and raising the version revokes every URL handed out before.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function feedKey(secret: string, communeId: string, version: number): string {
  // Version 1 hashes what keys were made of before versions existed, so those URLs keep working.
  const suffix = version === 1 ? '' : `:v${version}`;
  return createHmac('sha256', secret)
    .update(`market-days-feed:${communeId}${suffix}`)
    .digest('base64url')
    .slice(0, 32);
}

export function isFeedKey(secret: string, communeId: string, version: number, key: string): boolean {
  const expected = Buffer.from(feedKey(secret, communeId, version));
  const given = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
