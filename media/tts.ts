// Text-to-speech for the Vietnamese track. Engines are pluggable; espeak-ng (Debian package
// `espeak-ng`, voice `vi`) is the default. An engine that is not installed says so. Synthesis has
// a time limit: espeak-ng speaks the longest allowed text (5000 characters) in a few seconds, so a
// child still running at the limit is stuck or starved, and is killed rather than held forever.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { ChildInterruptedError } from './interrupted.ts';

const run = promisify(execFile);

/** How long one synthesis may take before its child is killed. */
export const TTS_TIME_LIMIT_MS = 60_000;

export interface SynthesizeOptions {
  signal?: AbortSignal;
  /** Defaults to TTS_TIME_LIMIT_MS. */
  timeLimitMs?: number;
  /** Called once the child exists (a test checks it is gone afterwards). */
  onSpawn?: (pid: number) => void;
}

/** The engine ran past its time limit and was killed. */
export class TtsTimeoutError extends Error {
  override readonly name = 'TtsTimeoutError';
  constructor(
    readonly engine: string,
    readonly timeLimitMs: number,
  ) {
    super(`${engine} took longer than ${timeLimitMs / 1000} s and was stopped`);
  }
}

export interface TtsEngine {
  id: string;
  label: string;
  /** ISO 639-3 codes this engine can speak. */
  languages: string[];
  /** null when ready, else why not (shown to the user). */
  unavailableReason(): Promise<string | null>;
  /**
   * Writes a WAV file; rejects with TtsTimeoutError at the time limit, ChildInterruptedError when
   * the child is killed by a signal from outside.
   */
  synthesize(text: string, language: string, outPath: string, options?: SynthesizeOptions): Promise<void>;
}

const ESPEAK_VOICES: Record<string, string> = { vie: 'vi' };

export const espeakNg: TtsEngine = {
  id: 'espeak-ng',
  label: 'eSpeak NG',
  languages: Object.keys(ESPEAK_VOICES),
  async unavailableReason() {
    try {
      const { stdout } = await run('espeak-ng', ['--voices=vi'], { timeout: 5000 });
      return /\bvi\b/.test(stdout) ? null : 'espeak-ng has no Vietnamese voice (vi)';
    } catch {
      return 'espeak-ng is not installed (apt-get install espeak-ng)';
    }
  },
  synthesize(text, language, outPath, { signal, timeLimitMs = TTS_TIME_LIMIT_MS, onSpawn } = {}) {
    const voice = ESPEAK_VOICES[language];
    if (!voice) return Promise.reject(new Error(`espeak-ng cannot speak ${language}`));
    return new Promise((resolve, reject) => {
      // Text goes on stdin, never on the command line; speed a little slower than default for
      // horn speakers in the open air. espeak-ng holds no state worth a graceful stop: SIGKILL.
      const child = spawn('espeak-ng', ['-v', voice, '-s', '150', '-w', outPath, '--stdin'], {
        stdio: ['pipe', 'ignore', 'pipe'],
        signal,
        killSignal: 'SIGKILL',
      });
      if (child.pid !== undefined) onSpawn?.(child.pid);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeLimitMs);
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      // A child killed before it read its text closes stdin under us: not an error of its own.
      child.stdin.on('error', () => {});
      let aborted: Error | undefined;
      child.on('error', (err) => {
        // Aborted: killed, settle on 'close'. Otherwise it never started.
        if (err.name === 'AbortError') aborted = err;
        else {
          clearTimeout(timer);
          reject(err);
        }
      });
      // 'close': the child has exited, so a rejection means it is gone, not still running.
      child.on('close', (code, exitSignal) => {
        clearTimeout(timer);
        if (timedOut) reject(new TtsTimeoutError('espeak-ng', timeLimitMs));
        else if (aborted) reject(aborted);
        // Killed by a signal Loa did not send (Ctrl-C reaches the whole process group).
        else if (exitSignal) reject(new ChildInterruptedError('espeak-ng', exitSignal));
        else if (code === 0) resolve();
        else reject(new Error(`espeak-ng failed (${code}): ${stderr}`));
      });
      child.stdin.end(text);
    });
  },
};

export const TTS_ENGINES: TtsEngine[] = [espeakNg];

export function findTtsEngine(id: string): TtsEngine | undefined {
  return TTS_ENGINES.find((e) => e.id === id);
}
