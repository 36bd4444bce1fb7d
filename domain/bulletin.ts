// How a bulletin's programme is assembled: the rules shared by the API (which stores them) and
// the transcode worker (which applies them).
import { z } from 'zod';

/** Where a part of a programme sits on its timeline (chime, a language, the closing chime), in seconds. */
export interface ProgrammeSegment {
  kind: 'chime' | 'language' | 'outro-chime';
  language?: string;
  startSec: number;
  durationSec: number;
}

export const BULLETIN_STATUSES = ['DRAFT', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED'] as const;

export const PlaySettings = z.strictObject({
  gapSec: z.number().min(0).max(30).default(1.5),
  repeat: z.number().int().min(1, 'from 1 to 10').max(10, 'from 1 to 10').default(1),
  repeatGapSec: z.number().min(0).max(300).default(5),
  chime: z.boolean().default(true),
  outroChime: z.boolean().default(false),
});
export type PlaySettings = z.output<typeof PlaySettings>;
