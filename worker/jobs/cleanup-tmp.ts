// Removes temporary work directories a crashed or killed job left behind (ffmpeg killed by
// the OOM killer, a worker stopped mid-transcode).
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export async function cleanupTmp(tmpDir: string, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const entries = await readdir(tmpDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of entries) {
    const path = join(tmpDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > olderThanMs) {
      await rm(path, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}
