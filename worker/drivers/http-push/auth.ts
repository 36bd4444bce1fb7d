// The login a device asks for, read from its 401 challenge: Digest (RFC 7616/2617, MD5, computed
// by the digest-header package) in preference to Basic (RFC 7617), which sends the password in
// the clear. The challenge is parsed here only to choose; the digest itself is digest-header's.
import digestAuthHeader from 'digest-header';

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Digest realm="a", nonce="b", qop="auth,auth-int"` → scheme and parameters (quoted strings may hold commas). */
export function parseChallenges(headers: string[]): Challenge[] {
  const challenges: Challenge[] = [];
  for (const header of headers) {
    // A header may carry several challenges: a new one starts at a token not followed by '='.
    const tokens = header.matchAll(
      /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*,?/g,
    );
    let current: Challenge | undefined;
    for (const [, name, value] of tokens) {
      if (!name) continue;
      if (value === undefined) {
        current = { scheme: name.toLowerCase(), params: {} };
        challenges.push(current);
      } else if (current) {
        current.params[name.toLowerCase()] = value.startsWith('"')
          ? value.slice(1, -1).replace(/\\(.)/g, '$1')
          : value;
      }
    }
  }
  return challenges;
}

export type Login =
  | { scheme: 'digest' | 'basic'; authorization: (method: string, uri: string) => string }
  | { scheme: 'unsupported'; offered: string };

/** Chooses how to answer the device's challenges with `credentials`. */
export function chooseLogin(challenges: Challenge[], credentials: Credentials): Login {
  const digest = challenges.find((c) => c.scheme === 'digest' && usableDigest(c));
  if (digest) {
    // Hand digest-header a clean challenge: only what it reads, the qop narrowed to "auth" (it
    // takes the first listed, and "auth-int" would need a hash of a body that is still to come).
    const p = digest.params;
    const clean = [
      `Digest realm="${p.realm}"`,
      `nonce="${p.nonce}"`,
      ...(p.opaque ? [`opaque="${p.opaque}"`] : []),
      ...(p.qop ? ['qop="auth"'] : []),
    ].join(', ');
    const userpass = `${credentials.username}:${credentials.password}`;
    return {
      scheme: 'digest',
      authorization: (method, uri) => digestAuthHeader(method, uri, clean, userpass),
    };
  }
  if (challenges.some((c) => c.scheme === 'basic')) {
    const token = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
    return { scheme: 'basic', authorization: () => `Basic ${token}` };
  }
  return {
    scheme: 'unsupported',
    offered: challenges
      .map((c) => `${c.scheme}${c.params.algorithm ? ` ${c.params.algorithm}` : ''}`)
      .join(', '),
  };
}

/** MD5 with qop "auth" (or none): what digest-header computes. Values with quotes it cannot carry. */
function usableDigest(c: Challenge): boolean {
  const { realm, nonce, opaque, qop, algorithm } = c.params;
  if (!realm || !nonce) return false;
  if (algorithm && algorithm.toUpperCase() !== 'MD5') return false;
  if (qop && !qop.split(',').some((q) => q.trim() === 'auth')) return false;
  return ![realm, nonce, opaque ?? ''].some((v) => /["',]/.test(v));
}
