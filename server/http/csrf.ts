// CSRF protection for cookie-authenticated state changes: csrf-csrf's signed double-submit
// cookie, bound to the session, sent back by the web app in the x-csrf-token header.
import { doubleCsrf } from 'csrf-csrf';
import type { Request, Response } from 'express';

const sessionOf = new WeakMap<Request, string>();

export const CSRF_COOKIE = 'loa_csrf';

export function createCsrf(secret: string) {
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => sessionOf.get(req) ?? '',
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', path: '/', secure: false, httpOnly: true },
    getCsrfTokenFromRequest: (req) => req.headers['x-csrf-token'],
  });
  return {
    /**
     * A token for this session, and its cookie. A valid token already in the cookie is reused,
     * so a second tab of the same session does not invalidate the first one's token.
     */
    issue(req: Request, res: Response, sessionId: string): string {
      sessionOf.set(req, sessionId);
      return generateCsrfToken(req, res, {
        overwrite: false,
        cookieOptions: { sameSite: 'lax', path: '/', secure: req.secure, httpOnly: true },
      });
    },
    valid(req: Request, sessionId: string): boolean {
      sessionOf.set(req, sessionId);
      return validateRequest(req);
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
