// Before anything starts: the system tools Loa cannot run without. On a Debian-family
// machine, as root, a missing one is installed with apt-get (and said so); otherwise Loa
// stops with the exact command to run. Nothing else is ever installed behind your back.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Tool {
  command: string;
  debianPackage: string;
}

export const REQUIRED_TOOLS: Tool[] = [
  { command: 'ffmpeg', debianPackage: 'ffmpeg' },
  { command: 'ffprobe', debianPackage: 'ffmpeg' },
  { command: 'redis-server', debianPackage: 'redis-server' },
];

export function onPath(command: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function isDebianFamily(osRelease = '/etc/os-release'): boolean {
  if (!existsSync(osRelease)) return false;
  const text = readFileSync(osRelease, 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(text);
}

export type PreflightResult = { ok: true; installed: string[] } | { ok: false; message: string };

export function preflight(
  tools: Tool[],
  options: { say: (line: string) => void; path?: string; isRoot?: boolean; debian?: boolean },
): PreflightResult {
  const missing = tools.filter((t) => !onPath(t.command, options.path));
  if (missing.length === 0) return { ok: true, installed: [] };
  const packages = [...new Set(missing.map((t) => t.debianPackage))];
  const commands = missing.map((t) => t.command).join(', ');
  const isRoot = options.isRoot ?? process.getuid?.() === 0;
  const debian = options.debian ?? isDebianFamily();
  const installCommand = `apt-get install -y ${packages.join(' ')}`;
  if (!(isRoot && debian)) {
    return {
      ok: false,
      message:
        `Loa needs ${commands}, which ${missing.length > 1 ? 'are' : 'is'} not installed. Run:\n` +
        `  sudo apt-get update && sudo ${installCommand}\n` +
        `Loa cần ${commands} nhưng chưa được cài đặt. Hãy chạy lệnh trên rồi thử lại.`,
    };
  }
  options.say(`Installing ${packages.join(', ')} with apt-get (missing: ${commands}) / Đang cài đặt…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...packages],
  ]) {
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (run.status !== 0) {
      return { ok: false, message: `apt-get ${args.join(' ')} failed (exit ${run.status}). Run it by hand.` };
    }
  }
  const still = tools.filter((t) => !onPath(t.command, options.path));
  if (still.length > 0)
    return { ok: false, message: `Still missing after apt-get: ${still.map((t) => t.command)}` };
  return { ok: true, installed: packages };
}
