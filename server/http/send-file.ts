// Serving a stored file (a rendition's audio, with Range for players). A player that seeks or
// stops drops its ranged request: that is the client going away, not a server error.
import type { Request, Response } from 'express';
import { loggedUrl } from './request-log.ts';

const GONE = new Set(['ECONNABORTED', 'ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** True when an error only says the client closed the connection. */
export function clientWentAway(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && GONE.has(code);
}

export function sendStoredFile(
  req: Request,
  res: Response,
  path: string,
  options: Parameters<Response['sendFile']>[1],
): Promise<void> {
  return new Promise((resolve, reject) =>
    res.sendFile(path, options ?? {}, (err) => {
      if (!err) return resolve();
      if (!clientWentAway(err)) return reject(err);
      req.log?.debug({ url: loggedUrl(req.originalUrl) }, 'client went away during the download');
      resolve();
    }),
  );
}
