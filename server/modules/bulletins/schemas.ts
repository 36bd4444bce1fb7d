import { z } from 'zod';
import { PlaySettings, BULLETIN_STATUSES as STATUSES } from '../../../domain/bulletin.ts';
import { PRIORITIES } from '../../../domain/priority.ts';
import { IsoDateTime, Name, Uuid } from '../../http/schemas.ts';

const bulletinFields = {
  title: Name(200),
  programme: z.string().trim().max(200, 'at most 200 characters'),
  priority: z.enum(PRIORITIES),
  validFrom: IsoDateTime.nullable(),
  validUntil: IsoDateTime.nullable(),
  settings: PlaySettings,
  /** Why an emergency bulletin preempts everything; kept in the audit trail. */
  reason: z.string().trim().min(3, 'at least 3 characters').max(500, 'at most 500 characters'),
};

const emergencyNeedsReason = {
  check: (b: { priority?: string; reason?: string }) => b.priority !== 'EMERGENCY' || Boolean(b.reason),
  message: { message: 'an emergency bulletin needs its reason', path: ['reason'] },
};

export const CreateBulletin = z
  .strictObject({
    ...bulletinFields,
    communeId: Uuid,
    programme: bulletinFields.programme.default(''),
    priority: bulletinFields.priority.default('NORMAL'),
    validFrom: bulletinFields.validFrom.optional(),
    validUntil: bulletinFields.validUntil.optional(),
    settings: PlaySettings.default(PlaySettings.parse({})),
    reason: bulletinFields.reason.optional(),
  })
  .refine((b) => !b.validFrom || !b.validUntil || b.validFrom < b.validUntil, {
    message: 'validUntil must be after validFrom',
    path: ['validUntil'],
  })
  .refine(emergencyNeedsReason.check, emergencyNeedsReason.message);

export const UpdateBulletin = z
  .strictObject({
    ...bulletinFields,
    settings: PlaySettings.partial().strict(),
    /** The play order, as ISO 639-3 codes of the tracks. */
    order: z
      .array(z.string().regex(/^[a-z]{3}$/))
      .min(1)
      .max(10),
  })
  .partial()
  .refine(emergencyNeedsReason.check, emergencyNeedsReason.message);

export const BulletinParams = z.strictObject({ bulletinId: Uuid });
export const TrackParams = z.strictObject({
  bulletinId: Uuid,
  language: z.string().regex(/^[a-z]{3}$/, 'an ISO 639-3 code such as vie or hmn'),
});

export const RenditionOut = z
  .object({
    id: z.string(),
    language: z.string().nullable(),
    profileId: z.string(),
    mimeType: z.string(),
    codec: z.string(),
    sampleRate: z.number(),
    channels: z.number(),
    bytes: z.number(),
    sha256: z.string(),
    durationSec: z.number(),
    integratedLufs: z.number(),
    truePeakDbtp: z.number(),
    peakTrimDb: z.number().meta({
      description: 'Gain given to this rendition alone to keep its true peak under the ceiling (usually 0)',
    }),
    peaks: z.array(z.number()),
    segments: z.unknown().nullable(),
    url: z.string(),
  })
  .meta({ id: 'Rendition' });

export const TrackOut = z
  .object({
    language: z.string(),
    languageName: z.string(),
    position: z.number(),
    source: z.enum(['UPLOAD', 'RECORDING', 'TTS']),
    originalName: z.string(),
    sha256: z.string(),
    durationSec: z.number(),
    codec: z.string(),
  })
  .meta({ id: 'BulletinTrack' });

export const LanguagePlanItem = z
  .object({
    language: z.string(),
    nameVi: z.string(),
    nameEn: z.string(),
    /** The commune requires a track in this language. */
    required: z.boolean(),
    /** It has a track, so it airs. */
    airs: z.boolean(),
  })
  .meta({ id: 'BulletinLanguage' });

/** Why a bulletin is withdrawn, archived or deleted; kept in the audit trail. */
export const ReasonBody = z
  .strictObject({
    reason: z.string().trim().min(3, 'at least 3 characters').max(500, 'at most 500 characters').optional(),
  })
  .optional();

export const BulletinOut = z
  .object({
    id: z.string(),
    communeId: z.string(),
    title: z.string(),
    programme: z.string(),
    priority: z.enum(PRIORITIES),
    validFrom: z.date().nullable(),
    validUntil: z.date().nullable(),
    status: z.enum(STATUSES),
    failureReason: z.string().nullable(),
    progress: z.number(),
    settings: PlaySettings,
    revision: z.number(),
    authorId: z.string(),
    authorName: z.string(),
    approvedById: z.string().nullable(),
    approverName: z.string().nullable(),
    approvedAt: z.date().nullable(),
    archivedAt: z.date().nullable().meta({
      description: 'Taken out of use: kept with its renditions as evidence, never airs again',
    }),
    createdAt: z.date(),
    updatedAt: z.date(),
    tracks: z.array(TrackOut),
    renditions: z.array(RenditionOut),
    erasable: z.boolean().meta({
      description: 'Never processed, so it may be deleted; otherwise it can only be archived',
    }),
    languagePlan: z.array(LanguagePlanItem).meta({
      description:
        'Which languages will air (a track) and which will not: tracks in play order, then the commune languages without one',
    }),
    missingLanguages: z.array(z.string()).meta({
      description:
        "The commune's required languages that have no track (processing is refused until they do)",
    }),
  })
  .meta({ id: 'Bulletin' });
export type BulletinOut = z.input<typeof BulletinOut>;
