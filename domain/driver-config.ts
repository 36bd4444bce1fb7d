// What each driver kind needs to reach a cluster. Validated on every write; secrets in it are
// write-only (never sent back by the API).
import { z } from 'zod';

const Host = z.string().trim().min(1).max(253);
const Port = z.number().int().min(1).max(65535);

/**
 * A device's HTTP endpoint: http or https only, the CGI path named, no credentials in the URL
 * (they belong in the write-only password, and a URL shows up in logs and answers), no fragment.
 */
const DeviceUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  // Each rule passes what is not a URL at all: z.url has said so already.
  .refine(
    (u) =>
      !URL.canParse(u) ||
      (!new URL(u).username && !new URL(u).password && !/^[a-z]+:[/\\]*[^/\\?#]*@/i.test(u)),
    'no user name or password in the URL',
  )
  .refine(
    (u) => !URL.canParse(u) || new URL(u).pathname.length > 1,
    'the path of the device CGI, e.g. /axis-cgi/audio/transmit.cgi',
  )
  .refine((u) => !u.includes('#'), 'no fragment (#) in the URL');

export const DriverConfigByKind = {
  // The recorder writes the rendition a cluster of this profile would air, in a container a
  // browser plays (WAV L16 or MP3), so the board's player and the tests can hear it.
  RECORDER: z.strictObject({ profile: z.enum(['wav-l16', 'mp3-24k']).default('wav-l16') }),
  RTP: z
    .strictObject({
      /** The cluster's address, or the multicast group it listens to. */
      host: Host,
      port: Port.refine((p) => p % 2 === 0, 'RTP uses an even port'),
      /** 0 PCMU, 8 PCMA, 14 MPA (MP3), or a dynamic type (96–127) with its `encoding`. G.722 (9) has no rendition yet. */
      payloadType: z
        .union([z.literal(0), z.literal(8), z.literal(14), z.number().int().min(96).max(127)])
        .default(0),
      encoding: z.enum(['L16', 'OPUS']).optional(),
      /** Multicast TTL: 1 keeps the stream on the local segment; raise it only for a routed network. */
      ttl: z.number().int().min(1).max(32).default(1),
      /** Local address multicast leaves from (the interface facing the clusters); the route decides otherwise. */
      interface: z.union([z.ipv4(), z.ipv6()]).optional(),
      /** A TCP port the device answers on while it is up (its web page, say): how Loa tells it is online. */
      probe: z.strictObject({ host: Host.optional(), port: Port }).optional(),
      /** A device profile other than the encoding's default rendition (e.g. an installation's own). */
      profile: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
        .optional(),
    })
    .refine((c) => c.payloadType >= 96 === (c.encoding !== undefined), {
      message:
        'a dynamic payload type (96–127) needs its encoding (L16 or OPUS), a static one must not have one',
      path: ['encoding'],
    }),
  // Axis VAPIX style: a POST of the audio to the device's CGI (worker/drivers/http-push.ts).
  HTTP_PUSH: z
    .strictObject({
      url: DeviceUrl,
      /** Basic (RFC 7617) forbids ':' in the user name; quotes would break the Digest header. */
      username: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[^:"\\\p{Cc}]+$/u, 'no colon, quote, backslash or control character')
        .optional(),
      /** The Digest client splits "user:password" at the first colon after the user, so none in the password. */
      password: z
        .string()
        .max(256)
        .regex(/^[^:\p{Cc}]*$/u, 'no colon or control character')
        .optional(),
      format: z.enum(['audio/basic', 'audio/axis-mulaw-128']).default('audio/basic'),
    })
    .refine((c) => (c.username === undefined) === (c.password === undefined), {
      message: 'a user name and a password go together',
      path: ['password'],
    }),
  // Loa is the source of an Icecast mount that the cluster's receivers pull
  // (worker/drivers/icecast/). Icecast 2.4 source protocol: HTTP PUT, Basic auth, no TLS.
  ICECAST: z.strictObject({
    /** The Icecast server, e.g. http://10.0.0.2:8000: http only, no path, no credentials in it. */
    url: z
      .url({ protocol: /^http$/ })
      .max(300)
      .refine(
        (u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password && !u.includes('@')),
        'no user name or password in the URL',
      )
      .refine(
        (u) => !URL.canParse(u) || (new URL(u).pathname === '/' && !new URL(u).search && !u.includes('#')),
        'the server only, e.g. http://10.0.0.2:8000 (the mount is its own field)',
      ),
    mount: z.string().regex(/^\/[A-Za-z0-9._-]{1,64}$/, 'like /xa-dao-san'),
    /** Icecast's source user; Basic auth forbids ':' in it. */
    username: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^:\p{Cc}]+$/u, 'no colon or control character')
      .default('source'),
    password: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[^\p{Cc}]+$/u, 'no control character'),
    /** Between bulletins: silent MP3 frames keep the mount up and receivers connected, or nothing. */
    filler: z.enum(['silence', 'none']).default('silence'),
    /** With the silence filler, how long the mount stays up after an airing (another worker process or source may then take it). */
    holdSec: z.number().int().min(0).max(86400).default(900),
  }),
  // A 4G receiver logs in to the broker as its cluster id; its password is write-only here, or
  // derived from the installation secret when left out (`loa receiver` prints it).
  MQTT: z.strictObject({
    password: z
      .string()
      .min(16, 'at least 16 characters')
      .max(128)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII, no spaces')
      .optional(),
  }),
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
