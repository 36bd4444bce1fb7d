// Brute-force protection for sign-in, kept in Redis so every API process shares it:
// consecutive failures per account (whatever the IP) and failures per IP (whatever the
// account). A success clears the account's count.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../http/errors.ts';

export interface ThrottlePolicy {
  failuresPerAccount: number;
  accountBlockSeconds: number;
  failuresPerIp: number;
  ipWindowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  failuresPerAccount: 5,
  accountBlockSeconds: 15 * 60,
  failuresPerIp: 20,
  ipWindowSeconds: 60 * 60,
};

export class TooManyAttemptsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'too-many-login-attempts', `Too many failed sign-ins; try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

export function createLoginThrottle(redis: Redis, prefix: string, policy: ThrottlePolicy = DEFAULT_THROTTLE) {
  const byAccount = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:login-fail-account`,
    points: policy.failuresPerAccount,
    duration: policy.accountBlockSeconds,
    blockDuration: policy.accountBlockSeconds,
  });
  const byIp = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:login-fail-ip`,
    points: policy.failuresPerIp,
    duration: policy.ipWindowSeconds,
    blockDuration: policy.ipWindowSeconds,
  });
  const accountKey = (username: string) => username.trim().toLowerCase();

  function blockedFor(res: RateLimiterRes | null, limit: number): number {
    if (!res) return 0;
    return res.consumedPoints >= limit ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
  }

  return {
    /** Throws 429 when this account or this IP may not try now. */
    async check(username: string, ip: string): Promise<void> {
      const [account, address] = await Promise.all([byAccount.get(accountKey(username)), byIp.get(ip)]);
      const wait = Math.max(
        blockedFor(account, policy.failuresPerAccount),
        blockedFor(address, policy.failuresPerIp),
      );
      if (wait > 0) throw new TooManyAttemptsError(wait);
    },
    async failed(username: string, ip: string): Promise<void> {
      await Promise.all([
        byAccount.consume(accountKey(username)).catch(swallowLimit),
        byIp.consume(ip).catch(swallowLimit),
      ]);
    },
    async succeeded(username: string): Promise<void> {
      await byAccount.delete(accountKey(username));
    },
  };
}

/** consume() rejects with a RateLimiterRes once over the limit: that is the block, not an error. */
function swallowLimit(err: unknown): void {
  if (!(err instanceof RateLimiterRes)) throw err;
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
