// A request refused before its body was read (an upload to a language not in the list, by a role
// that may not upload, …). Answering and closing at once while the client is still sending makes
// the client's TCP stack see a reset: many clients then report a broken pipe and never read the
// answer. As RFC 9112 §9.6 advises, the rest of the body is read and discarded first, up to a
// bound in bytes and in time; past the bound the answer goes out and the connection is closed.
import type { Request, Response } from 'express';

export interface DrainLimit {
  bytes: number;
  ms: number;
}

/** Enough for any upload Loa accepts on a fast link; the time bound protects against a slow one. */
export const DRAIN_LIMIT: DrainLimit = { bytes: 256 * 1024 * 1024, ms: 10_000 };

/** Calls `answer` once the request's unread body is gone (read to its end, or past the bound). */
export function afterUnreadBody(req: Request, res: Response, answer: () => void, limit = DRAIN_LIMIT): void {
  if (req.complete || req.readableEnded || req.destroyed) {
    answer();
    return;
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit.bytes) {
    closeAfter(res, answer);
    return;
  }

  let read = 0;
  let done = false;
  const finish = (overLimit: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onEnd);
    if (overLimit) closeAfter(res, answer);
    else answer();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > limit.bytes) finish(true);
  };
  const onEnd = () => finish(false);
  const timer = setTimeout(() => finish(true), limit.ms);
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('close', onEnd);
  req.resume();
}

function closeAfter(res: Response, answer: () => void) {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  answer();
}
