// Whether ffmpeg and ffprobe run at all, and which version: used by readiness.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function toolVersion(tool: 'ffmpeg' | 'ffprobe', timeoutMs = 2000): Promise<string> {
  const { stdout } = await run(tool, ['-hide_banner', '-version'], { timeout: timeoutMs });
  return stdout.split('\n')[0] ?? '';
}
