// What Loa derives from its installation secret for the 4G receivers: signed, expiring media
// URLs (one signature per broadcast and item, so a URL leaked from one receiver opens nothing
// else and nothing after its expiry) and the broker passwords (Loa's own, and each receiver's
// unless its driver config sets one).
import { createHmac, timingSafeEqual } from 'node:crypto';

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('base64url');

export interface MediaGrant {
  broadcastId: string;
  item: number;
  /** Expiry, UTC ms since the epoch. */
  exp: number;
}

const grantText = (g: MediaGrant) => `loa-media|${g.broadcastId}|${g.item}|${Math.trunc(g.exp)}`;

export function signMediaUrl(secret: string, baseUrl: string, grant: MediaGrant): string {
  const base = baseUrl.replace(/\/+$/, '');
  const sig = hmac(secret, grantText(grant));
  return `${base}/api/receivers/media/${grant.broadcastId}/${grant.item}?exp=${Math.trunc(grant.exp)}&sig=${sig}`;
}

/** Whether `sig` signs this grant and it has not expired at `now`. */
export function mediaGrantValid(secret: string, grant: MediaGrant, sig: string, now: number): boolean {
  if (grant.exp < now) return false;
  const expected = Buffer.from(hmac(secret, grantText(grant)));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The broker login Loa's own processes use. */
export const LOA_BROKER_USER = 'loa';

export function loaBrokerPassword(secret: string): string {
  return hmac(secret, 'loa-broker|loa');
}

/** A receiver's broker password when its driver config does not set one. */
export function receiverPassword(secret: string, clusterId: string): string {
  return hmac(secret, `loa-broker|receiver|${clusterId}`);
}
