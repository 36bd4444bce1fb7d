// `loa admin create`: the first administrator of a deployment that seeds no demo data.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { verifyPassword } from '../../platform/password.ts';
import { openDatabase } from '../../prisma/database.ts';

const run = promisify(execFile);
const LOA = resolve(import.meta.dirname, '../../cli/loa.mjs');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function loa(args: string[], env: Record<string, string>) {
  return run(process.execPath, [LOA, ...args], { env: { PATH: process.env.PATH, ...env } }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

it('creates a global admin once, printing a random password or taking one from the environment', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'loa-cli-admin-'));
  dirs.push(dataDir);
  const first = await loa(['admin', 'create', 'chief', '--name', 'Trưởng ban'], { LOA_DATA_DIR: dataDir });
  expect(first.code).toBe(0);
  const created = JSON.parse(first.stdout);
  expect(created).toMatchObject({ username: 'chief', role: 'ADMIN' });
  expect(created.password).toMatch(/^\S{12,}$/);

  const fromEnv = await loa(['admin', 'create', 'deputy', '--password-env', 'ADMIN_PW'], {
    LOA_DATA_DIR: dataDir,
    ADMIN_PW: 'a-long-chosen-password',
  });
  expect(JSON.parse(fromEnv.stdout)).toEqual({ username: 'deputy', role: 'ADMIN' });

  const again = await loa(['admin', 'create', 'chief'], { LOA_DATA_DIR: dataDir });
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/already exists/);

  const db = await openDatabase({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
  try {
    const chief = await db.prisma.user.findUniqueOrThrow({
      where: { username: 'chief' },
      include: { roles: true },
    });
    expect(chief.displayName).toBe('Trưởng ban');
    expect(chief.roles).toEqual([
      expect.objectContaining({ role: 'ADMIN', province: null, communeId: null }),
    ]);
    expect(await verifyPassword(chief.passwordHash, created.password)).toBe(true);
    const deputy = await db.prisma.user.findUniqueOrThrow({ where: { username: 'deputy' } });
    expect(await verifyPassword(deputy.passwordHash, 'a-long-chosen-password')).toBe(true);
  } finally {
    await db.close();
  }
}, 120_000);
