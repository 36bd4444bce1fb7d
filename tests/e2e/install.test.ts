// `npm ci` on a fresh clone prints no warning: every dependency's install script is either
// approved or denied in package.json's allowScripts, and every package the lock installs accepts
// the Node version Loa runs on (npm's EBADENGINE). .ci/run also fails on any warning of the
// real install; these say which rule broke without a full install.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
// npm's own engine check uses semver; bullmq brings it in.
const semver = createRequire(join(ROOT, 'package.json'))('semver') as {
  satisfies(version: string, range: string): boolean;
};

describe('npm ci', () => {
  it('has every install script approved or denied in allowScripts', async () => {
    const { stdout, stderr } = await promisify(execFile)('npm', ['install-scripts', 'ls'], { cwd: ROOT });
    expect(`${stdout}${stderr}`).toContain('No packages with unreviewed install scripts');
  });

  it('installs only packages whose engines accept this Node', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages)
      .filter(([path, entry]) => {
        const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return path !== '' && node !== undefined && !semver.satisfies(process.version, node);
      })
      .map(([path, entry]) => `${path}@${entry.version}: node ${JSON.stringify(entry.engines)}`);
    expect(refusing).toEqual([]);
  });
});
