import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onPath, preflight, REQUIRED_TOOLS } from '../../scripts/preflight.ts';

async function binDir(commands: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-bin-'));
  for (const command of commands) {
    await writeFile(join(dir, command), '#!/bin/sh\n');
    await chmod(join(dir, command), 0o755);
  }
  return dir;
}

describe('preflight', () => {
  it('passes when ffmpeg, ffprobe and redis-server are on PATH', async () => {
    const path = await binDir(['ffmpeg', 'ffprobe', 'redis-server']);
    expect(preflight(REQUIRED_TOOLS, { say: () => {}, path })).toEqual({ ok: true, installed: [] });
  });

  it('ignores files that are not executable', async () => {
    const path = await binDir([]);
    await writeFile(join(path, 'ffmpeg'), 'not a program');
    expect(onPath('ffmpeg', path)).toBe(false);
  });

  it('without root, stops with the exact apt-get command for what is missing', async () => {
    const path = await binDir(['ffmpeg', 'ffprobe']);
    const said: string[] = [];
    const result = preflight(REQUIRED_TOOLS, { say: (l) => said.push(l), path, isRoot: false, debian: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('sudo apt-get install -y redis-server');
    expect(result.message).toContain('redis-server');
    expect(result.message).not.toContain('install -y ffmpeg');
    expect(said).toEqual([]);
  });

  it('outside Debian, does not try apt-get even as root', async () => {
    const path = await binDir([]);
    const result = preflight(REQUIRED_TOOLS, { say: () => {}, path, isRoot: true, debian: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('apt-get install -y ffmpeg redis-server');
  });
});
