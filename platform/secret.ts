// The server secret that signs CSRF tokens: LOA_SECRET, or one generated on first start and
// kept in the data directory (readable by its owner only), so restarts keep sessions valid.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';

export async function serverSecret(config: Config): Promise<string> {
  if (config.LOA_SECRET) return config.LOA_SECRET;
  const file = join(config.dataDir, 'secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(async (err) => {
    // Another process won the race: use what it wrote.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  return (await readFile(file, 'utf8')).trim();
}
