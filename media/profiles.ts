/**
 * Device profiles: what each kind of loudspeaker receiver can play. Data, validated by zod, so an
 * installation can add a profile without touching the command builders.
 */
import { z } from 'zod';

export const profileCodecSchema = z.enum(['mp3', 'pcm_mulaw', 'opus', 'pcm_s16le']);
export type ProfileCodec = z.infer<typeof profileCodecSchema>;

export const deviceProfileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/),
    label: z.string().min(1),
    /** ffmpeg muxer name, also what ffprobe reports as format_name when reading it back. */
    container: z.enum(['mp3', 'mulaw', 'ogg', 'wav']),
    /** ffprobe codec_name of the stream. */
    codec: profileCodecSchema,
    /** Rate the file is encoded at. Ogg/Opus always decodes at 48 kHz, see `decodedSampleRate`. */
    sampleRate: z.number().int().min(8000).max(48000),
    channels: z.literal(1),
    /** Bits per second for lossy codecs; null for PCM, whose rate follows from the format. */
    bitrate: z.number().int().positive().nullable(),
    extension: z.string().regex(/^[a-z0-9]{1,5}$/),
    mimeType: z.string().min(3),
    /** Headerless files (raw µ-law) must be read with the format, rate and channels given. */
    headerless: z.boolean(),
    /** Encoder speed/quality knob: LAME -q (0 best … 9 fastest) or Opus complexity (0 … 10 best). */
    compressionLevel: z.number().int().min(0).max(10).optional(),
    opusApplication: z.enum(['voip', 'audio', 'lowdelay']).optional(),
  })
  .superRefine((profile, ctx) => {
    const lossy = profile.codec === 'mp3' || profile.codec === 'opus';
    if (lossy !== (profile.bitrate !== null)) {
      ctx.addIssue({ code: 'custom', message: 'lossy codecs need a bitrate, PCM codecs must not have one' });
    }
    if (profile.codec === 'opus' && ![8000, 12000, 16000, 24000, 48000].includes(profile.sampleRate)) {
      ctx.addIssue({ code: 'custom', message: 'Opus encodes at 8, 12, 16, 24 or 48 kHz' });
    }
    if (profile.opusApplication && profile.codec !== 'opus') {
      ctx.addIssue({ code: 'custom', message: 'opusApplication is only for Opus' });
    }
    if (profile.headerless !== (profile.container === 'mulaw')) {
      ctx.addIssue({ code: 'custom', message: 'only raw µ-law is headerless' });
    }
  });
export type DeviceProfile = z.infer<typeof deviceProfileSchema>;

export const deviceProfileListSchema = z
  .array(deviceProfileSchema)
  .min(1)
  .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'profile ids must be unique');

/**
 * The default profiles.
 * - µ-law renditions are raw G.711 samples (`.ul`, `audio/basic` as RFC 2046 defines it: 8-bit
 *   µ-law, no header), because that is what Axis HTTP push and RTP PCMU carry byte for byte; a Sun
 *   `.au` header would be played as a click. Readers pass the format explicitly (`headerless`).
 * - Opus is fed at 16 kHz (wideband, 8 kHz audio bandwidth): the speech band stops at 7 kHz, and
 *   libopus VoIP is cheaper than at 24 or 48 kHz. Complexity 5 instead of the default 10: on the
 *   benchmark's 6-minute programme 4.5 s instead of 8.3 s of CPU, Opus being the costliest encoder.
 * - MP3 uses LAME -q 7: about 30 % faster than the default, inaudible on a 180–7000 Hz horn signal.
 */
export const defaultProfiles: readonly DeviceProfile[] = deviceProfileListSchema.parse([
  {
    id: 'mp3-24k',
    label: 'MP3 48 kbit/s 24 kHz mono (4G receivers)',
    container: 'mp3',
    codec: 'mp3',
    sampleRate: 24000,
    channels: 1,
    bitrate: 48000,
    extension: 'mp3',
    mimeType: 'audio/mpeg',
    headerless: false,
    compressionLevel: 7,
  },
  {
    id: 'pcmu-8k',
    label: 'G.711 µ-law 8 kHz, raw (SIP/RTP PCMU, audio/basic)',
    container: 'mulaw',
    codec: 'pcm_mulaw',
    sampleRate: 8000,
    channels: 1,
    bitrate: null,
    extension: 'ul',
    mimeType: 'audio/basic',
    headerless: true,
  },
  {
    id: 'pcmu-16k',
    label: 'µ-law 16 kHz, raw (Axis audio/axis-mulaw-128)',
    container: 'mulaw',
    codec: 'pcm_mulaw',
    sampleRate: 16000,
    channels: 1,
    bitrate: null,
    extension: 'ul',
    mimeType: 'audio/axis-mulaw-128',
    headerless: true,
  },
  {
    id: 'opus-24k',
    label: 'Opus 24 kbit/s VoIP in Ogg',
    container: 'ogg',
    codec: 'opus',
    sampleRate: 16000,
    channels: 1,
    bitrate: 24000,
    extension: 'opus',
    mimeType: 'audio/ogg; codecs=opus',
    headerless: false,
    compressionLevel: 5,
    opusApplication: 'voip',
  },
  {
    id: 'wav-l16',
    label: 'WAV PCM 16-bit 16 kHz mono (L16)',
    container: 'wav',
    codec: 'pcm_s16le',
    sampleRate: 16000,
    channels: 1,
    bitrate: null,
    extension: 'wav',
    mimeType: 'audio/wav',
    headerless: false,
  },
]);

/** Ogg/Opus is always decoded (and reported by ffprobe) at 48 kHz whatever rate it was fed. */
export function decodedSampleRate(profile: DeviceProfile): number {
  return profile.codec === 'opus' ? 48000 : profile.sampleRate;
}

export function findProfile(id: string, profiles: readonly DeviceProfile[] = defaultProfiles): DeviceProfile {
  const profile = profiles.find((p) => p.id === id);
  if (!profile) throw new Error(`unknown device profile: ${id}`);
  return profile;
}
