import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Credentials that pass through request logs: session and CSRF cookies, the CSRF header, Bearer
 * API tokens, and the cookies the API sets. Logs travel further than the database does.
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

export function createLogger(
  level: string,
  base: Record<string, unknown> = {},
  destination?: pino.DestinationStream,
): Logger {
  const options = {
    level,
    base: { ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
