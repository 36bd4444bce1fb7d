import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Credentials that pass through request logs: session and CSRF cookies, the CSRF header, Bearer
 * API tokens, and the cookies the API sets; driver passwords, should a cluster's config be logged.
 * Request lines carry no headers at all; these stay redacted should a request, a response or a
 * config ever be logged whole.
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  // A cluster's driver config (Icecast source, HTTP push device) logged whole, flat or nested.
  'password',
  '*.password',
  '*.*.password',
];

/** Where log lines go; a terminal (isTTY) gets them pretty, anything else gets JSON lines. */
export type LogDestination = pino.DestinationStream & { isTTY?: boolean };

/**
 * A logger writing JSON lines, or, on a terminal (e.g. under `npm start`), one readable line per
 * entry: `12:04:31.118 INFO  GET /api/bulletins 200 12 ms officer`.
 */
export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: LogDestination,
): Logger {
  const options = {
    level,
    base: { ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const out = destination ?? (process.stdout.isTTY ? process.stdout : undefined);
  if (out?.isTTY) return pino(options, prettyStream(out, !process.env.NO_COLOR));
  return out ? pino(options, out) : pino(options);
}

const LEVELS: Record<number, [label: string, colour: string]> = {
  10: ['TRACE', '90'],
  20: ['DEBUG', '90'],
  30: ['INFO', '32'],
  40: ['WARN', '33'],
  50: ['ERROR', '31'],
  60: ['FATAL', '35'],
};
/** Said by the message, or the same on every line: not repeated as key=value. */
const UNSAID = new Set(['level', 'time', 'msg', 'process', 'reqId', 'http', 'err']);

function prettyStream(out: pino.DestinationStream, colour: boolean): pino.DestinationStream {
  return { write: (line: string) => out.write(prettyLine(line, colour)) };
}

/** One JSON log line as a person reads it on a terminal. */
export function prettyLine(json: string, colour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json);
  } catch {
    return json;
  }
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const [label, hue] = LEVELS[entry.level as number] ?? [String(entry.level), '0'];
  const at = new Date(entry.time as string);
  const clock = Number.isNaN(at.getTime())
    ? '--:--:--.---'
    : `${[at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')}.${String(at.getMilliseconds()).padStart(3, '0')}`;
  const extra = Object.entries(entry)
    .filter(([key]) => !UNSAID.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const err = entry.err as { stack?: string; message?: string } | undefined;
  const trace = err ? `\n  ${(err.stack ?? err.message ?? String(err)).split('\n').join('\n  ')}` : '';
  const text = [entry.msg ?? '', ...extra].filter(Boolean).join(' ');
  return `${paint('2', clock)} ${paint(hue, label.padEnd(5))} ${text}${trace}\n`;
}
