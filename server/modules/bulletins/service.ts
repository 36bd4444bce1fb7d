import type { Actor, Who } from '../../../domain/access.ts';
import { PlaySettings } from '../../../domain/bulletin.ts';
import { sniffAudio } from '../../../media/probe.ts';
import type { MediaStore } from '../../../media/store.ts';
import type { Prisma, PrismaClient } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { transcodeJobId } from '../../../worker/jobs/catalogue.ts';
import type { JobProducer } from '../../../worker/jobs/producer.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../http/errors.ts';
import { unknownLanguages } from '../communes/languages.ts';
import { toUploadProblem } from './media-errors.ts';
import type { BulletinOut } from './schemas.ts';

export interface BulletinDeps {
  prisma: PrismaClient;
  store: MediaStore;
  jobs: JobProducer;
  maxAudioSec: number;
}

const include = {
  tracks: { include: { media: true, lang: true }, orderBy: { position: 'asc' } },
  renditions: true,
  author: { select: { displayName: true } },
  approvedBy: { select: { displayName: true } },
} as const satisfies Prisma.BulletinInclude;

type BulletinRow = Prisma.BulletinGetPayload<{ include: typeof include }>;

export function toBulletinOut({ author, approvedBy, ...b }: BulletinRow): BulletinOut {
  return {
    ...b,
    authorName: author.displayName,
    approverName: approvedBy?.displayName ?? null,
    settings: PlaySettings.parse(b.settings ?? {}),
    tracks: b.tracks.map((t) => ({
      language: t.language,
      languageName: t.lang.nameVi,
      position: t.position,
      source: t.source,
      originalName: t.originalName,
      sha256: t.sourceSha256,
      durationSec: t.media.durationSec,
      codec: t.media.codec,
    })),
    renditions: b.renditions
      .filter((r) => r.revision === b.revision)
      .sort(
        (x, y) =>
          (x.language ?? '').localeCompare(y.language ?? '') || x.profileId.localeCompare(y.profileId),
      )
      .map((r) => ({
        ...r,
        bytes: Number(r.bytes),
        peaks: (r.peaks as number[]) ?? [],
        segments: r.segments ?? null,
        url: `/api/bulletins/${b.id}/renditions/${r.id}/audio`,
      })),
  };
}

/** Anything that changes what would air invalidates the renditions and the approval. */
const invalidate = {
  revision: { increment: 1 },
  approvedById: null,
  approvedAt: null,
  progress: 0,
  failureReason: null,
};

export function bulletinService(deps: BulletinDeps) {
  const { prisma, store } = deps;

  async function load(id: string): Promise<BulletinRow> {
    const bulletin = await prisma.bulletin.findUnique({ where: { id }, include });
    if (!bulletin) throw new NotFoundError('bulletin');
    return bulletin;
  }

  async function checkLanguage(language: string) {
    if ((await unknownLanguages(prisma, [language])).length > 0) {
      throw new ValidationError(
        [{ field: 'params.language', message: `"${language}" is not in the language list` }],
        'unknown-language',
      );
    }
  }

  return {
    load,

    async get(id: string) {
      return toBulletinOut(await load(id));
    },

    /** Sniffs a received file, keeps it content-addressed, and makes it the bulletin's track. */
    async putTrack(
      bulletinId: string,
      language: string,
      file: { path: string; sha256: string; bytes: number; fileName: string },
      source: 'UPLOAD' | 'RECORDING' | 'TTS',
      who: Who,
      ttsText?: string,
    ): Promise<BulletinOut> {
      const sniffed = await sniffAudio(file.path, { maxDurationSec: deps.maxAudioSec }).catch((err) => {
        throw toUploadProblem(err);
      });
      const stream = sniffed.info.audioStreams[0];
      if (!stream) throw new AppError(422, 'no-audio-stream', 'the file has no audio stream');
      await store.keepOriginal(file.path, file.sha256);
      const media = {
        bytes: BigInt(file.bytes),
        formatName: sniffed.info.formatName,
        codec: stream.codec,
        sampleRate: stream.sampleRate ?? 0,
        channels: stream.channels ?? 0,
        durationSec: sniffed.decodedDurationSec,
      };
      await prisma.$transaction(async (tx) => {
        await tx.mediaFile.upsert({
          where: { sha256: file.sha256 },
          create: { sha256: file.sha256, ...media },
          update: {},
        });
        const existing = await tx.bulletinTrack.findUnique({
          where: { bulletinId_language: { bulletinId, language } },
        });
        const position = existing?.position ?? (await tx.bulletinTrack.count({ where: { bulletinId } }));
        const data = {
          sourceSha256: file.sha256,
          source,
          originalName: file.fileName,
          ttsText: ttsText ?? null,
        };
        await tx.bulletinTrack.upsert({
          where: { bulletinId_language: { bulletinId, language } },
          create: { bulletinId, language, position, ...data },
          update: data,
        });
        const bulletin = await tx.bulletin.update({
          where: { id: bulletinId },
          data: { ...invalidate, status: 'UPLOADED' },
        });
        await recordAudit(tx, who, {
          action: 'bulletin.track-upload',
          entityType: 'bulletin',
          entityId: bulletinId,
          communeId: bulletin.communeId,
          after: {
            language,
            sha256: file.sha256,
            source,
            originalName: file.fileName,
            durationSec: media.durationSec,
          },
        });
      });
      return this.get(bulletinId);
    },

    checkLanguage,

    async removeTrack(bulletinId: string, language: string, who: Who) {
      await prisma.$transaction(async (tx) => {
        const removed = await tx.bulletinTrack.deleteMany({ where: { bulletinId, language } });
        if (removed.count === 0) throw new NotFoundError('track');
        const left = await tx.bulletinTrack.findMany({ where: { bulletinId }, orderBy: { position: 'asc' } });
        for (const [position, track] of left.entries()) {
          await tx.bulletinTrack.update({ where: { id: track.id }, data: { position } });
        }
        const bulletin = await tx.bulletin.update({
          where: { id: bulletinId },
          data: { ...invalidate, status: left.length > 0 ? 'UPLOADED' : 'DRAFT' },
        });
        await recordAudit(tx, who, {
          action: 'bulletin.track-remove',
          entityType: 'bulletin',
          entityId: bulletinId,
          communeId: bulletin.communeId,
          before: { language },
        });
      });
      return this.get(bulletinId);
    },

    /** Starts (or retries) the transcode of the current revision. */
    async requestTranscode(bulletinId: string, who: Who) {
      const bulletin = await load(bulletinId);
      if (bulletin.tracks.length === 0)
        throw new ConflictError('no-tracks', 'Add at least one language track first');
      const moved = await prisma.bulletin.updateMany({
        where: { id: bulletinId, revision: bulletin.revision, status: { in: ['UPLOADED', 'FAILED'] } },
        data: { status: 'PROCESSING', progress: 0, failureReason: null },
      });
      if (moved.count === 1) {
        await recordAudit(prisma, who, {
          action: 'bulletin.transcode',
          entityType: 'bulletin',
          entityId: bulletinId,
          communeId: bulletin.communeId,
          after: { revision: bulletin.revision },
        });
      } else if (bulletin.status !== 'PROCESSING') {
        throw new ConflictError(
          'not-transcodable',
          `A ${bulletin.status.toLowerCase()} bulletin is not waiting for processing`,
        );
      }
      // After commit, and idempotent: the job id is derived from the revision.
      await deps.jobs.enqueue(
        'transcode-bulletin',
        { bulletinId, revision: bulletin.revision },
        transcodeJobId(bulletinId, bulletin.revision),
      );
      return this.get(bulletinId);
    },

    async update(bulletinId: string, body: UpdateInput, who: Who) {
      const before = await load(bulletinId);
      const { order, settings, reason, ...fields } = body;
      if (order) {
        const current = before.tracks.map((t) => t.language).sort();
        if (JSON.stringify([...order].sort()) !== JSON.stringify(current)) {
          throw new ValidationError([
            { field: 'body.order', message: `must list exactly the tracks: ${current.join(', ')}` },
          ]);
        }
      }
      const audioChanges = Boolean(order || settings);
      const airingChanges =
        fields.priority !== undefined || fields.validFrom !== undefined || fields.validUntil !== undefined;
      await prisma.$transaction(async (tx) => {
        if (order) {
          // Two steps, so positions never collide half-way.
          for (const [i, language] of order.entries()) {
            await tx.bulletinTrack.update({
              where: { bulletinId_language: { bulletinId, language } },
              data: { position: 100 + i },
            });
          }
          await tx.bulletinTrack.updateMany({
            where: { bulletinId },
            data: { position: { decrement: 100 } },
          });
        }
        const after = await tx.bulletin.update({
          where: { id: bulletinId },
          data: {
            ...fields,
            ...(settings ? { settings: { ...PlaySettings.parse(before.settings ?? {}), ...settings } } : {}),
            ...(audioChanges
              ? { ...invalidate, status: before.tracks.length > 0 ? 'UPLOADED' : 'DRAFT' }
              : {}),
            ...(airingChanges ? { approvedById: null, approvedAt: null } : {}),
          },
        });
        await recordAudit(tx, who, {
          action: 'bulletin.update',
          entityType: 'bulletin',
          entityId: bulletinId,
          communeId: after.communeId,
          before: {
            ...pick(before, Object.keys(fields)),
            settings: before.settings,
            order: before.tracks.map((t) => t.language),
          },
          after: { ...fields, ...(settings ? { settings } : {}), ...(order ? { order } : {}) },
          reason,
        });
      });
      return this.get(bulletinId);
    },

    async approve(bulletinId: string, who: Who & { actor: Actor }) {
      const bulletin = await load(bulletinId);
      if (bulletin.authorId === who.actor.userId) {
        throw new AppError(
          403,
          'approval-needs-another-person',
          'A bulletin must be approved by someone other than its author',
        );
      }
      const approved = await prisma.$transaction(async (tx) => {
        const done = await tx.bulletin.updateMany({
          where: { id: bulletinId, revision: bulletin.revision, status: 'READY', approvedAt: null },
          data: { approvedById: who.actor.userId, approvedAt: new Date() },
        });
        if (done.count === 1) {
          await recordAudit(tx, who, {
            action: 'bulletin.approve',
            entityType: 'bulletin',
            entityId: bulletinId,
            communeId: bulletin.communeId,
            after: { revision: bulletin.revision },
          });
        }
        return done.count === 1;
      });
      if (!approved && !bulletin.approvedAt) {
        throw new ConflictError(
          'not-approvable',
          'Only a ready bulletin (processed, not changed since) can be approved',
        );
      }
      return this.get(bulletinId);
    },
  };
}

export type BulletinService = ReturnType<typeof bulletinService>;

export interface UpdateInput {
  title?: string;
  programme?: string;
  priority?: 'NORMAL' | 'PRIORITY' | 'EMERGENCY';
  validFrom?: string | null;
  validUntil?: string | null;
  settings?: Partial<PlaySettings>;
  order?: string[];
  reason?: string;
}

function pick(row: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => keys.includes(key)));
}
