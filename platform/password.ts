// argon2id with the OWASP minimum (19 MiB, 2 iterations, parallelism 1).
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

const OWASP = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OWASP);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

/** Readable enough to type from a printed sheet: no 0/O or 1/l/I. */
export function randomPassword(length = 14): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
