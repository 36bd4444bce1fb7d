// What each driver kind needs to reach a cluster. Validated on every write; secrets in it are
// write-only (never sent back by the API).
import { z } from 'zod';

const Host = z.string().trim().min(1).max(253);
const Port = z.number().int().min(1).max(65535);

export const DriverConfigByKind = {
  RECORDER: z.strictObject({}),
  RTP: z.strictObject({
    host: Host,
    port: Port.refine((p) => p % 2 === 0, 'RTP uses an even port'),
    payloadType: z.union([z.literal(0), z.literal(8), z.literal(9), z.literal(14)]).default(0),
    ttl: z.number().int().min(1).max(32).default(1),
  }),
  HTTP_PUSH: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    username: z.string().max(64).optional(),
    password: z.string().max(256).optional(),
    format: z.enum(['audio/basic', 'audio/axis-mulaw-128']).default('audio/basic'),
  }),
  ICECAST: z.strictObject({ mount: z.string().regex(/^\/[A-Za-z0-9._-]{1,64}$/, 'like /xa-dao-san') }),
  MQTT: z.strictObject({ topic: z.string().min(1).max(200) }),
  SIP: z.strictObject({
    uri: z
      .string()
      .regex(/^sips?:/, 'a sip: URI')
      .max(200),
  }),
} as const;

export type DriverKind = keyof typeof DriverConfigByKind;
export const DRIVER_KINDS = Object.keys(DriverConfigByKind) as DriverKind[];

const SECRET_KEYS = new Set(['password']);

export function publicDriverConfig(config: unknown): Record<string, unknown> {
  if (typeof config !== 'object' || config === null) return {};
  return Object.fromEntries(Object.entries(config).filter(([key]) => !SECRET_KEYS.has(key)));
}

export function secretsOf(config: unknown): Record<string, unknown> {
  if (typeof config !== 'object' || config === null) return {};
  return Object.fromEntries(Object.entries(config).filter(([key]) => SECRET_KEYS.has(key)));
}
