// Downloads a rendition ahead of its instant over a weak link: into a `.part` file that a cut
// connection leaves behind, resumed with an HTTP Range request from its size, then checked
// against the command's sha256 before it is renamed into place. Redirects are not followed.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CommandItem } from '../../domain/receiver-protocol.ts';

export class HashMismatchError extends Error {
  readonly code = 'hash-mismatch';
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** One attempt: fetch what is missing of `path`, then verify. Throws on a cut (the caller retries). */
export async function downloadItem(item: CommandItem, path: string, signal: AbortSignal): Promise<void> {
  if (existsSync(path) && (await sha256Of(path)) === item.sha256) return;
  const part = `${path}.part`;
  let have = existsSync(part) ? (await stat(part)).size : 0;
  if (have > item.bytes) {
    await rm(part, { force: true });
    have = 0;
  }
  if (have < item.bytes) {
    const response = await fetch(item.url, {
      signal,
      redirect: 'error',
      headers: have > 0 ? { Range: `bytes=${have}-` } : {},
    });
    if (response.status !== 200 && response.status !== 206) {
      throw Object.assign(new Error(`media answered ${response.status}`), { code: 'download-failed' });
    }
    // A server that ignores Range sends it all again: start over.
    const append = response.status === 206 && have > 0;
    if (!response.body) throw new Error('media answered without a body');
    await pipeline(
      Readable.fromWeb(response.body as never),
      createWriteStream(part, { flags: append ? 'a' : 'w' }),
      { signal },
    );
  }
  if ((await sha256Of(part)) !== item.sha256) {
    await rm(part, { force: true });
    throw new HashMismatchError(`sha256 differs from the command's ${item.sha256.slice(0, 12)}…`);
  }
  await rename(part, path);
}

/** The simulator's download: read through and hashed, nothing kept. */
export async function hashOnly(item: CommandItem, signal: AbortSignal): Promise<void> {
  const response = await fetch(item.url, { signal, redirect: 'error' });
  if (response.status !== 200 || !response.body) throw new Error(`media answered ${response.status}`);
  const hash = createHash('sha256');
  await pipeline(Readable.fromWeb(response.body as never), hash, { signal });
  if (hash.digest('hex') !== item.sha256) throw new HashMismatchError('sha256 differs from the command');
}
