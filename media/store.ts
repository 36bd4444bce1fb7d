// Where audio lives under the media directory. Originals are content-addressed and immutable
// (the same file uploaded twice is stored once); renditions live per bulletin and revision;
// work in progress lives under tmp/ (swept by the cleanup-tmp job).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class MediaStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  get tmpDir(): string {
    return join(this.root, 'tmp');
  }

  originalPath(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.root, 'originals', sha256.slice(0, 2), sha256);
  }

  renditionDir(bulletinId: string, revision: number): string {
    return join(this.root, 'renditions', bulletinId, String(revision));
  }

  /** A path under the media root, refusing anything that would escape it. */
  resolveRelative(path: string): string {
    const full = resolve(this.root, path);
    if (!full.startsWith(this.root + sep)) throw new Error(`path escapes the media directory: ${path}`);
    return full;
  }

  relativeTo(path: string): string {
    return relative(this.root, path);
  }

  async newTmpPath(label: string): Promise<string> {
    await mkdir(this.tmpDir, { recursive: true });
    return join(this.tmpDir, `${label}-${randomUUID()}`);
  }

  /** Streams into a temp file, hashing as it goes. The caller removes the file when done. */
  async receive(
    stream: Readable,
    label = 'upload',
  ): Promise<{ path: string; sha256: string; bytes: number }> {
    const path = await this.newTmpPath(label);
    const hash = createHash('sha256');
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    try {
      await pipeline(stream, createWriteStream(path, { flags: 'wx' }));
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return { path, sha256: hash.digest('hex'), bytes };
  }

  /** sha256 and size of a file already on disk (e.g. one a TTS engine wrote). */
  async fingerprint(path: string): Promise<{ sha256: string; bytes: number }> {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), bytes };
  }

  /** Moves a received file to its content address (read-only); a copy already there wins. */
  async keepOriginal(tmpPath: string, sha256: string): Promise<string> {
    const target = this.originalPath(sha256);
    if (existsSync(target)) {
      await rm(tmpPath, { force: true });
      return target;
    }
    await mkdir(join(target, '..'), { recursive: true });
    await chmod(tmpPath, 0o444);
    await rename(tmpPath, target);
    return target;
  }
}
