// Random bearer secrets (session cookies, API tokens): only their sha256 is ever stored, so a
// database leak does not hand out live credentials.
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(prefix = ''): { token: string; hash: string } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSecret(token) };
}

export function hashSecret(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
