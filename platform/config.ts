// Loa reads its whole configuration from the environment once, at start, and refuses to
// run with a value it does not understand, naming the variable.
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_MIN_LANGUAGE_SHARE, parseMinLanguageShare } from '../domain/session-log/counting.ts';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'must be a port number from 1 to 65535' })
    .int('must be a port number from 1 to 65535')
    .min(1, 'must be a port number from 1 to 65535')
    .max(65535, 'must be a port number from 1 to 65535')
    .default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOA_DATA_DIR: z.string().min(1).default('data'),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes only')
    .default('loa'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOA_DEMO_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
  LOA_SEED_DEMO: flag.default(true),
  LOA_UPLOAD_MAX_MB: z.coerce
    .number({ error: 'must be a number of megabytes' })
    .positive()
    .max(10_000)
    .default(200),
  LOA_AUDIO_MAX_MINUTES: z.coerce
    .number({ error: 'must be a number of minutes' })
    .positive()
    .max(600)
    .default(30),
  LOA_LOUDNESS_LUFS: z.coerce.number({ error: 'must be a number (LUFS)' }).min(-40).max(-5).default(-18),
  LOA_TRUE_PEAK_DBTP: z.coerce.number({ error: 'must be a number (dBTP)' }).min(-9).max(0).default(-1.5),
  LOA_HIGHPASS_HZ: z.coerce.number({ error: 'must be a number (Hz)' }).min(20).max(1000).default(180),
  LOA_LOWPASS_HZ: z.coerce.number({ error: 'must be a number (Hz)' }).min(2000).max(11000).default(7000),
  /** Read by media/ffmpeg-runner.ts for every ffmpeg it starts; validated here so a typo stops start-up. */
  LOA_FFMPEG_NICE: z.coerce
    .number({ error: 'a whole number from 0 to 19' })
    .int('a whole number from 0 to 19')
    .min(0, 'a whole number from 0 to 19')
    .max(19, 'a whole number from 0 to 19')
    .default(10),
  LOA_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  LOA_SESSION_HOURS: z.coerce.number({ error: 'must be a number of hours' }).min(0.1).max(720).default(12),
  LOA_DISPATCH_MAX_LATE_SEC: z.coerce
    .number({ error: 'a number of seconds from 0 to 3600' })
    .min(0, 'a number of seconds from 0 to 3600')
    .max(3600, 'a number of seconds from 0 to 3600')
    .default(60),
  LOA_DISPATCH_LEAD_SEC: z.coerce
    .number({ error: 'a number of seconds from 1 to 600' })
    .min(1, 'a number of seconds from 1 to 600')
    .max(600, 'a number of seconds from 1 to 600')
    .default(15),
  LOA_DISPATCH_HORIZON_HOURS: z.coerce
    .number({ error: 'a number of hours from 1 to 168' })
    .min(1, 'a number of hours from 1 to 168')
    .max(168, 'a number of hours from 1 to 168')
    .default(6),
  /** What counts as a session held: the share of its length every language must have aired (domain/session-log/counting.ts). */
  LOA_SESSION_MIN_LANGUAGE_SHARE: z
    .string()
    .default(String(DEFAULT_MIN_LANGUAGE_SHARE))
    .transform((text, ctx) => {
      try {
        return parseMinLanguageShare(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** How long after its scheduled start a preempted slot broadcast may air again, from the start, once the cluster is free; 0 never re-airs. */
  LOA_PREEMPTED_REAIR_MIN: z.coerce
    .number({ error: 'a number of minutes from 0 to 720' })
    .min(0, 'a number of minutes from 0 to 720')
    .max(720, 'a number of minutes from 0 to 720')
    .default(30),
  /** How receivers and devices outside this machine reach Loa's API (signed media URLs); default from HOST and PORT. */
  LOA_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** The 4G receivers' broker; without it `npm start` runs a private mosquitto. */
  LOA_MQTT_URL: z.url({ protocol: /^mqtts?$/, error: 'must be an mqtt:// or mqtts:// URL' }).optional(),
  /** The private broker's port (receivers must know it); a free port when not set. */
  LOA_MQTT_PORT: z.coerce
    .number({ error: 'must be a port number from 1 to 65535' })
    .int('must be a port number from 1 to 65535')
    .min(1, 'must be a port number from 1 to 65535')
    .max(65535, 'must be a port number from 1 to 65535')
    .optional(),
  /** The password Loa's workers log in to the broker with (default: derived from the secret). */
  LOA_MQTT_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
  /** How long before its instant a 4G receiver is sent its play command. */
  LOA_MQTT_ANNOUNCE_MIN: z.coerce
    .number({ error: 'a number of minutes from 1 to 1440' })
    .min(1, 'a number of minutes from 1 to 1440')
    .max(1440, 'a number of minutes from 1 to 1440')
    .default(30),
  WORKER_QUEUES: z
    .string()
    .default('transcode,dispatch,maintenance')
    .transform((s) => s.split(',').map((q) => q.trim()))
    .pipe(z.array(z.enum(['transcode', 'dispatch', 'maintenance'])).min(1)),
});

export type Config = z.infer<typeof envSchema> & { dataDir: string; mediaDir: string };

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      `Invalid configuration / Cấu hình không hợp lệ:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** The counting rule's share alone, as the configuration reads it: where a report is made (API, export job, `loa report`). */
export function sessionMinLanguageShare(env: NodeJS.ProcessEnv = process.env): number {
  return envSchema.shape.LOA_SESSION_MIN_LANGUAGE_SHARE.parse(env.LOA_SESSION_MIN_LANGUAGE_SHARE);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`PORT=`) means "not set", as shells make it easy to write.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '?');
        const got = env[variable];
        return { variable, message: `${issue.message}${got === undefined ? '' : ` (got "${got}")`}` };
      }),
    );
  }
  const dataDir = resolve(parsed.data.LOA_DATA_DIR);
  return { ...parsed.data, dataDir, mediaDir: resolve(dataDir, 'media') };
}

/** LOA_PUBLIC_URL, or this machine's API as HOST and PORT name it (loopback for a wildcard HOST). */
export function publicUrl(config: Config): string {
  if (config.LOA_PUBLIC_URL) return config.LOA_PUBLIC_URL.replace(/\/+$/, '');
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST === '::' ? '[::1]' : config.HOST;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.PORT}`;
}

export type DatabaseTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

export function databaseTarget(config: Config): DatabaseTarget {
  return config.DATABASE_URL
    ? { kind: 'postgres', url: config.DATABASE_URL }
    : { kind: 'pglite', dataDir: resolve(config.dataDir, 'pglite') };
}
