/**
 * The only module in Loa that starts ffmpeg or ffprobe.
 *
 * ffmpeg is started through fluent-ffmpeg (as the product asks), which finds the binary
 * (FFMPEG_PATH or PATH) and applies `nice`. The command builders already produce complete
 * argument arrays (per-input options, `-filter_complex`, several mapped outputs), so the runner
 * hands them to fluent-ffmpeg's spawner as they are rather than re-assembling them through its
 * fluent model, and supervises the process itself: progress from `-progress pipe:3`, a per-job
 * timeout, a stall watchdog and SIGTERM→SIGKILL, none of which fluent-ffmpeg offers. fluent-ffmpeg
 * is archived upstream, so its spawner will not change under us; replacing it touches this file
 * only. ffprobe runs by spawn with the same supervision: fluent-ffmpeg cannot give its JSON.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import ffmpegCommand from 'fluent-ffmpeg';
import { INPUT_FORMAT_WHITELIST, isWhitelistedInputFormat } from './commands.ts';

export type FfmpegErrorCode =
  | 'FFMPEG_FAILED'
  | 'FFMPEG_TIMEOUT'
  | 'FFMPEG_STALLED'
  | 'FFMPEG_ABORTED'
  | 'FFMPEG_SPAWN_FAILED'
  | 'FFMPEG_INPUT_REJECTED';

export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
  constructor(
    readonly code: FfmpegErrorCode,
    message: string,
    readonly commandLine: string,
    readonly stderrTail: string,
    readonly exitCode: number | null = null,
    readonly exitSignal: NodeJS.Signals | null = null,
    readonly pid: number | undefined = undefined,
  ) {
    super(stderrTail ? `${message}\n${commandLine}\n${stderrTail}` : `${message}\n${commandLine}`);
  }
}

export interface FfmpegRunOptions {
  /** Everything after the global options the runner adds itself (banner, stdin, progress). */
  args: string[];
  cwd?: string;
  signal?: AbortSignal;
  /** Fraction 0..1 of `durationSec` reached by ffmpeg's `out_time`. */
  onProgress?: (fraction: number) => void;
  /** Probed duration of what is being produced; progress is only reported when known. */
  durationSec?: number;
  timeoutMs: number;
  /** Kill when `out_time` has not advanced for this long. */
  stallMs: number;
  /** Niceness for the child; 0 runs it without `nice`. Defaults to LOA_FFMPEG_NICE or 10. */
  nice?: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Raw stdout bytes (e.g. decoded PCM); progress goes to fd 3 so stdout stays free for data. */
  onStdout?: (chunk: Buffer) => void;
  /** Only for internally generated sources (fixtures, silence): allows `-f lavfi` inputs. */
  allowGeneratedInputs?: boolean;
  /** Called once the child exists, e.g. so a test can check the process is gone afterwards. */
  onSpawn?: (pid: number) => void;
}

export interface FfmpegRunResult {
  stderr: string;
  /** Last `out_time` reported, in seconds. */
  outTimeSec: number;
  wallMs: number;
}

export interface FfprobeRunOptions {
  args: string[];
  signal?: AbortSignal;
  timeoutMs: number;
  nice?: number;
}

const STDERR_KEEP_BYTES = 64 * 1024;
const STDERR_TAIL_CHARS = 4000;
const DEFAULT_KILL_GRACE_MS = 2000;

export const ffmpegPath = (): string => process.env.FFMPEG_PATH ?? 'ffmpeg';
export const ffprobePath = (): string => process.env.FFPROBE_PATH ?? 'ffprobe';

/** LOA_FFMPEG_NICE (validated with the rest of the configuration at start-up), else 10. */
export function defaultNice(): number {
  const fromEnv = Number(process.env.LOA_FFMPEG_NICE);
  return Number.isInteger(fromEnv) ? fromEnv : 10;
}

/** Runs ffmpeg with progress on fd 3, a per-job timeout, a stall watchdog and abort support. */
export async function runFfmpeg(options: FfmpegRunOptions): Promise<FfmpegRunResult> {
  const fullArgs = ['-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:3', ...options.args];
  const commandLine = formatCommandLine(ffmpegPath(), fullArgs);
  const rejection = checkInputs(options.args, options.allowGeneratedInputs ?? false);
  if (rejection) throw new FfmpegError('FFMPEG_INPUT_REJECTED', rejection, commandLine, '');
  const result = await runChild({
    command: ffmpegPath(),
    args: fullArgs,
    commandLine,
    cwd: options.cwd,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    stallMs: options.stallMs,
    nice: options.nice,
    killGraceMs: options.killGraceMs,
    onStdout: options.onStdout,
    onSpawn: options.onSpawn,
    onOutTime: progressReporter(options.onProgress, options.durationSec),
    withProgressPipe: true,
  });
  options.onProgress?.(1);
  return { stderr: result.stderr, outTimeSec: result.outTimeSec, wallMs: result.wallMs };
}

/** Runs ffprobe and returns its stdout (callers ask for JSON). */
export async function runFfprobe(options: FfprobeRunOptions): Promise<{ stdout: string; stderr: string }> {
  const fullArgs = ['-hide_banner', ...options.args];
  const commandLine = formatCommandLine(ffprobePath(), fullArgs);
  const rejection = checkInputs(options.args, false);
  if (rejection) throw new FfmpegError('FFMPEG_INPUT_REJECTED', rejection, commandLine, '');
  const chunks: Buffer[] = [];
  const result = await runChild({
    command: ffprobePath(),
    args: fullArgs,
    commandLine,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    stallMs: Number.POSITIVE_INFINITY,
    nice: options.nice ?? 0,
    onStdout: (chunk) => chunks.push(chunk),
    withProgressPipe: false,
  });
  return { stdout: Buffer.concat(chunks).toString('utf8'), stderr: result.stderr };
}

/** First line of `ffmpeg -version` / `ffprobe -version`: whether the tool runs, and which build. */
export async function toolVersion(tool: 'ffmpeg' | 'ffprobe', timeoutMs = 2000): Promise<string> {
  const command = tool === 'ffmpeg' ? ffmpegPath() : ffprobePath();
  const args = ['-hide_banner', '-version'];
  const chunks: Buffer[] = [];
  await runChild({
    command,
    args,
    commandLine: formatCommandLine(command, args),
    timeoutMs,
    stallMs: Number.POSITIVE_INFINITY,
    nice: 0,
    onStdout: (chunk) => chunks.push(chunk),
    withProgressPipe: false,
  });
  return Buffer.concat(chunks).toString('utf8').split('\n')[0] ?? '';
}

/**
 * Every input must be restricted to local files and pipes and to the demuxers Loa accepts;
 * lavfi (filter graphs as inputs) only for internally generated sources.
 */
export function checkInputs(args: readonly string[], allowGeneratedInputs: boolean): string | undefined {
  let sinceLastInput: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg !== '-i') {
      sinceLastInput.push(arg);
      continue;
    }
    const input = args[i + 1];
    if (input === undefined) return 'an -i option without a value';
    const problem = checkInputOptions(sinceLastInput, input, allowGeneratedInputs);
    if (problem) return problem;
    sinceLastInput = [];
    i++;
  }
  return undefined;
}

function checkInputOptions(options: string[], input: string, allowGenerated: boolean): string | undefined {
  const forced = optionValue(options, '-f');
  if (forced === 'lavfi') {
    return allowGenerated ? undefined : `generated (lavfi) input not allowed here: ${input}`;
  }
  if (optionValue(options, '-protocol_whitelist') !== 'file,pipe') {
    return `input without -protocol_whitelist file,pipe: ${input}`;
  }
  const formats = optionValue(options, '-format_whitelist');
  if (!formats?.split(',').every(isWhitelistedInputFormat)) {
    return `input without an accepted -format_whitelist (${INPUT_FORMAT_WHITELIST}): ${input}`;
  }
  if (forced !== undefined && !isWhitelistedInputFormat(forced))
    return `input format not accepted: ${forced}`;
  return undefined;
}

function optionValue(options: string[], name: string): string | undefined {
  const at = options.lastIndexOf(name);
  return at >= 0 ? options[at + 1] : undefined;
}

export function formatCommandLine(command: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  return [command, ...args].map(quote).join(' ');
}

function progressReporter(
  onProgress: ((fraction: number) => void) | undefined,
  durationSec: number | undefined,
): ((outTimeSec: number) => void) | undefined {
  if (!onProgress || !durationSec || durationSec <= 0) return undefined;
  return (outTimeSec) => onProgress(Math.min(1, Math.max(0, outTimeSec / durationSec)));
}

interface ChildSpec {
  command: string;
  args: string[];
  commandLine: string;
  cwd?: string;
  signal?: AbortSignal;
  timeoutMs: number;
  stallMs: number;
  nice?: number;
  killGraceMs?: number;
  onStdout?: (chunk: Buffer) => void;
  onSpawn?: (pid: number) => void;
  onOutTime?: (outTimeSec: number) => void;
  withProgressPipe: boolean;
}

interface ChildResult {
  stderr: string;
  outTimeSec: number;
  wallMs: number;
}

/** fluent-ffmpeg's process starter (internal but frozen: the package is archived). */
interface FluentSpawner {
  _spawnFfmpeg(
    args: string[],
    options: { cwd?: string; stdio: StdioOptions; niceness: number; stdoutLines: number },
    onProcess: (child: ChildProcess) => void,
    onEnd: (error: Error | null) => void,
  ): void;
}

function startChild(spec: ChildSpec): Promise<ChildProcess> {
  const nice = spec.nice ?? defaultNice();
  const stdio: StdioOptions = spec.withProgressPipe
    ? ['ignore', 'pipe', 'pipe', 'pipe']
    : ['ignore', 'pipe', 'pipe'];
  if (spec.command !== ffmpegPath()) {
    const [command, args] =
      nice !== 0 ? ['nice', ['-n', String(nice), spec.command, ...spec.args]] : [spec.command, spec.args];
    return Promise.resolve(spawn(command, args, { cwd: spec.cwd, shell: false, stdio }));
  }
  return new Promise((resolve, reject) => {
    let started = false;
    (ffmpegCommand() as unknown as FluentSpawner)._spawnFfmpeg(
      [...spec.args],
      // stdoutLines: fluent-ffmpeg keeps its own copy of the output lines; one is enough.
      { cwd: spec.cwd, stdio, niceness: nice, stdoutLines: 1 },
      (child) => {
        started = true;
        resolve(child);
      },
      // Exit is supervised below; only a failure to start (no ffmpeg found) matters here.
      (error) => {
        if (!started && error) reject(error);
      },
    );
  });
}

function runChild(spec: ChildSpec): Promise<ChildResult> {
  if (spec.signal?.aborted) {
    return Promise.reject(new FfmpegError('FFMPEG_ABORTED', 'aborted before start', spec.commandLine, ''));
  }
  return startChild(spec).then(
    (child) => superviseChild(child, spec),
    (error: Error) => {
      throw new FfmpegError(
        'FFMPEG_SPAWN_FAILED',
        `cannot start ${spec.command}: ${error.message}`,
        spec.commandLine,
        '',
      );
    },
  );
}

function superviseChild(child: ChildProcess, spec: ChildSpec): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const stderr = new TailBuffer(STDERR_KEEP_BYTES);
    let outTimeSec = 0;
    let failure: { code: FfmpegErrorCode; message: string } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let stallTimer: NodeJS.Timeout | undefined;

    const kill = (code: FfmpegErrorCode, message: string) => {
      if (failure || child.exitCode !== null || child.signalCode !== null) return;
      failure = { code, message };
      child.kill('SIGTERM');
      graceTimer = setTimeout(() => child.kill('SIGKILL'), spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    };
    const armStallWatchdog = () => {
      if (!Number.isFinite(spec.stallMs)) return;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(
        () => kill('FFMPEG_STALLED', `no progress for ${spec.stallMs} ms`),
        spec.stallMs,
      );
    };
    const timeoutTimer = setTimeout(
      () => kill('FFMPEG_TIMEOUT', `timed out after ${spec.timeoutMs} ms`),
      spec.timeoutMs,
    );
    const onAbort = () => kill('FFMPEG_ABORTED', 'aborted');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    armStallWatchdog();

    if (child.pid !== undefined) spec.onSpawn?.(child.pid);
    child.stderr?.on('data', (chunk: Buffer | string) => stderr.push(chunk));
    child.stdout?.on('data', (chunk: Buffer) => spec.onStdout?.(chunk));
    const progressStream = child.stdio[3];
    if (progressStream && 'on' in progressStream) {
      parseProgress(progressStream as NodeJS.ReadableStream, (seconds) => {
        if (seconds <= outTimeSec) return;
        outTimeSec = seconds;
        armStallWatchdog();
        spec.onOutTime?.(seconds);
      });
    }

    const cleanUp = () => {
      clearTimeout(timeoutTimer);
      clearTimeout(stallTimer);
      clearTimeout(graceTimer);
      spec.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error) => {
      cleanUp();
      reject(
        new FfmpegError(
          'FFMPEG_SPAWN_FAILED',
          `cannot start ${spec.command}: ${error.message}`,
          spec.commandLine,
          '',
        ),
      );
    });
    child.on('close', (exitCode, exitSignal) => {
      cleanUp();
      const wallMs = performance.now() - startedAt;
      const text = stderr.text();
      if (failure) {
        reject(
          new FfmpegError(
            failure.code,
            failure.message,
            spec.commandLine,
            tail(text),
            exitCode,
            exitSignal,
            child.pid,
          ),
        );
      } else if (exitCode !== 0) {
        const message = `exited with ${exitCode ?? exitSignal}`;
        reject(
          new FfmpegError(
            'FFMPEG_FAILED',
            message,
            spec.commandLine,
            tail(text),
            exitCode,
            exitSignal,
            child.pid,
          ),
        );
      } else {
        resolve({ stderr: text, outTimeSec, wallMs });
      }
    });
  });
}

/** Reads `-progress` key=value lines; out_time_us is microseconds, "N/A" before the first frame. */
function parseProgress(stream: NodeJS.ReadableStream, onOutTime: (seconds: number) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('out_time_us=')) continue;
      const micros = Number(line.slice('out_time_us='.length));
      if (Number.isFinite(micros)) onOutTime(micros / 1e6);
    }
  });
}

function tail(text: string): string {
  return text.length > STDERR_TAIL_CHARS ? text.slice(-STDERR_TAIL_CHARS) : text;
}

/** Keeps only the last `limit` bytes of a stream, so a chatty child cannot grow memory. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  /** fluent-ffmpeg sets stderr to utf8, so chunks may arrive as text. */
  push(data: Buffer | string): void {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}
