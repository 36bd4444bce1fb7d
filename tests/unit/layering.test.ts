// The floors of README's Architecture section, checked by dependency-cruiser with the same rules
// `npm run lint` uses, and shown to bite on deliberate bad imports.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FOLDERS = ['domain', 'platform', 'media', 'prisma', 'worker', 'server', 'scripts', 'cli', 'web/src'];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

async function cruise(paths: string[]): Promise<Violation[]> {
  const bin = resolve(ROOT, 'node_modules/.bin/depcruise');
  const args = [...paths, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'];
  // depcruise exits non-zero when it finds violations; the JSON on stdout is what we read.
  const out = await promisify(execFile)(bin, args, { cwd: ROOT, maxBuffer: 64 << 20 }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  );
  return JSON.parse(out.stdout).summary.violations;
}

/** Writes throwaway source files into the tree, cruises them with everything else, removes them. */
async function withProbes(files: Record<string, string>): Promise<Violation[]> {
  const paths = Object.keys(files);
  try {
    await Promise.all(paths.map((p) => writeFile(resolve(ROOT, p), files[p] as string)));
    return await cruise([...FOLDERS]);
  } finally {
    await Promise.all(paths.map((p) => rm(resolve(ROOT, p), { force: true })));
  }
}

const brief = (v: Violation[]) => v.map((x) => `${x.rule.name}: ${x.from} → ${x.to}`);

describe('layering', () => {
  it('every import runs downward, with no circles and Prisma only in prisma/', async () => {
    expect(brief(await cruise(FOLDERS))).toEqual([]);
  });

  it('fails on an import against the direction, a circle, and Prisma outside the repositories', async () => {
    const tag = randomUUID().slice(0, 8);
    const up = `worker/probe-up-${tag}.ts`;
    const circleA = `domain/probe-a-${tag}.ts`;
    const circleB = `domain/probe-b-${tag}.ts`;
    const prisma = `server/probe-prisma-${tag}.ts`;
    const found = brief(
      await withProbes({
        [up]: "import '../server/app.ts';\n",
        [circleA]: `import './probe-b-${tag}.ts';\n`,
        [circleB]: `import './probe-a-${tag}.ts';\n`,
        [prisma]: "import '../prisma/generated/client.ts';\n",
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        `worker-below-server: ${up} → server/app.ts`,
        `no-circular: ${circleA} → ${circleB}`,
        `prisma-only-in-repositories: ${prisma} → prisma/generated/client.ts`,
      ]),
    );
  });
});
