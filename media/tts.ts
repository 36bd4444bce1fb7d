// Text-to-speech for the Vietnamese track. Engines are pluggable; espeak-ng (Debian package
// `espeak-ng`, voice `vi`) is the default. An engine that is not installed says so.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TtsEngine {
  id: string;
  label: string;
  /** ISO 639-3 codes this engine can speak. */
  languages: string[];
  /** null when ready, else why not (shown to the user). */
  unavailableReason(): Promise<string | null>;
  /** Writes a WAV file. */
  synthesize(text: string, language: string, outPath: string, signal?: AbortSignal): Promise<void>;
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
  synthesize(text, language, outPath, signal) {
    const voice = ESPEAK_VOICES[language];
    if (!voice) return Promise.reject(new Error(`espeak-ng cannot speak ${language}`));
    return new Promise((resolve, reject) => {
      // Text goes on stdin, never on the command line; speed a little slower than default for
      // horn speakers in the open air.
      const child = spawn('espeak-ng', ['-v', voice, '-s', '150', '-w', outPath, '--stdin'], {
        stdio: ['pipe', 'ignore', 'pipe'],
        signal,
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`espeak-ng failed (${code}): ${stderr}`)),
      );
      child.stdin.end(text);
    });
  },
};

export const TTS_ENGINES: TtsEngine[] = [espeakNg];

export function findTtsEngine(id: string): TtsEngine | undefined {
  return TTS_ENGINES.find((e) => e.id === id);
}
