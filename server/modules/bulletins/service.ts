// Bulletin rules: tracks are identified by content, anything that changes what would air makes a
// new revision (renditions and approval start again), processing is requested once per revision,
// and a bulletin is approved by someone other than its author.
import { rm } from 'node:fs/promises';
import type { Actor, Who } from '../../../domain/access.ts';
import type { PlaySettings } from '../../../domain/bulletin.ts';
import type { Priority } from '../../../domain/priority.ts';
import { sniffAudio } from '../../../media/probe.ts';
import type { MediaStore } from '../../../media/store.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import {
  type BulletinWithAudio,
  bulletinRepository as bulletins,
  type TrackSource,
} from '../../../prisma/repositories/bulletins.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import {
  type Language,
  languageRepository,
  unknownLanguages,
} from '../../../prisma/repositories/languages.ts';
import { transcodeJobId } from '../../../worker/jobs/catalogue.ts';
import type { JobProducer } from '../../../worker/jobs/producer.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../http/errors.ts';
import { toUploadProblem } from './media-errors.ts';
import type { BulletinOut } from './schemas.ts';

export interface BulletinDeps {
  db: DbClient;
  store: MediaStore;
  jobs: JobProducer;
  maxAudioSec: number;
}

/**
 * Which languages will air and which will not: the tracks in play order, then the commune's
 * languages that have none (a required one among them stops processing).
 */
export function languagePlan(bulletin: BulletinWithAudio, names: readonly Language[]) {
  const { languages, requiredLanguages } = bulletin.commune;
  const withTrack = bulletin.tracks.map((t) => t.language);
  const codes = [...withTrack, ...languages.filter((code) => !withTrack.includes(code))];
  return codes.map((code) => {
    const name = names.find((l) => l.code === code);
    return {
      language: code,
      nameVi: name?.nameVi ?? code,
      nameEn: name?.nameEn ?? code,
      required: requiredLanguages.includes(code),
      airs: withTrack.includes(code),
    };
  });
}

export function toBulletinOut(bulletin: BulletinWithAudio, names: readonly Language[]): BulletinOut {
  const { commune: _commune, ...rest } = bulletin;
  const plan = languagePlan(bulletin, names);
  return {
    ...rest,
    languagePlan: plan,
    missingLanguages: plan.filter((l) => l.required && !l.airs).map((l) => l.language),
    renditions: bulletin.renditions.map((r) => ({
      ...r,
      url: `/api/bulletins/${bulletin.id}/renditions/${r.id}/audio`,
    })),
  };
}

/** "Tiếng Mông / Hmong (hmn)", for problems read in either language. */
const bothNames = (l: { language: string; nameVi: string; nameEn: string }) =>
  `${l.nameVi} / ${l.nameEn} (${l.language})`;

export function bulletinService(deps: BulletinDeps) {
  const { db, store } = deps;

  async function load(id: string): Promise<BulletinWithAudio> {
    const bulletin = await bulletins.find(db, id);
    if (!bulletin) throw new NotFoundError('bulletin');
    return bulletin;
  }

  /** An archived bulletin is evidence: it is not changed any more. */
  async function loadInUse(id: string): Promise<BulletinWithAudio> {
    const bulletin = await load(id);
    if (bulletin.archivedAt) {
      throw new ConflictError('bulletin-archived', 'The bulletin is archived; it cannot be changed');
    }
    return bulletin;
  }

  /** After a commit that stops a bulletin airing: plan again the slots that play it. */
  async function replanSlotsOf(bulletinId: string) {
    const slotIds = await bulletins.slotsPlaying(db, bulletinId);
    if (slotIds.length === 0) return;
    await deps.jobs.enqueue('materialise-broadcasts', { slotIds }, `mat-${bulletinId}-${Date.now()}`);
  }

  async function checkLanguage(language: string) {
    if ((await unknownLanguages(db, [language])).length > 0) {
      throw new ValidationError(
        [{ field: 'params.language', message: `"${language}" is not in the language list` }],
        'unknown-language',
      );
    }
  }

  return {
    load,

    async get(id: string) {
      const [bulletin, names] = await Promise.all([load(id), languageRepository.list(db)]);
      return toBulletinOut(bulletin, names);
    },

    /** Sniffs a received file, keeps it content-addressed, and makes it the bulletin's track. */
    async putTrack(
      bulletinId: string,
      language: string,
      file: { path: string; sha256: string; bytes: number; fileName: string },
      source: TrackSource,
      who: Who,
      ttsText?: string,
    ): Promise<BulletinOut> {
      await loadInUse(bulletinId);
      const sniffed = await sniffAudio(file.path, { maxDurationSec: deps.maxAudioSec }).catch((err) => {
        throw toUploadProblem(err);
      });
      const stream = sniffed.info.audioStreams[0];
      if (!stream) throw new AppError(422, 'no-audio-stream', 'the file has no audio stream');
      await store.keepOriginal(file.path, file.sha256);
      const durationSec = sniffed.decodedDurationSec;
      await inTransaction(db, async (tx) => {
        await bulletins.keepMediaFile(tx, {
          sha256: file.sha256,
          bytes: file.bytes,
          formatName: sniffed.info.formatName,
          codec: stream.codec,
          sampleRate: stream.sampleRate ?? 0,
          channels: stream.channels ?? 0,
          durationSec,
        });
        await bulletins.putTrack(tx, bulletinId, language, {
          sha256: file.sha256,
          source,
          originalName: file.fileName,
          ttsText: ttsText ?? null,
        });
        const bulletin = await bulletins.update(tx, bulletinId, { newRevision: true, status: 'UPLOADED' });
        await recordAudit(tx, who, {
          action: 'bulletin.track-upload',
          entityType: 'bulletin',
          entityId: bulletinId,
          communeId: bulletin.communeId,
          after: { language, sha256: file.sha256, source, originalName: file.fileName, durationSec },
        });
      });
      return this.get(bulletinId);
    },

    checkLanguage,

    async removeTrack(bulletinId: string, language: string, who: Who) {
      await loadInUse(bulletinId);
      await inTransaction(db, async (tx) => {
        const left = await bulletins.removeTrack(tx, bulletinId, language);
        if (left === null) throw new NotFoundError('track');
        const bulletin = await bulletins.update(tx, bulletinId, {
          newRevision: true,
          status: left > 0 ? 'UPLOADED' : 'DRAFT',
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
      const bulletin = await loadInUse(bulletinId);
      if (bulletin.tracks.length === 0)
        throw new ConflictError('no-tracks', 'Add at least one language track first');
      const names = await languageRepository.list(db);
      const missing = languagePlan(bulletin, names).filter((l) => l.required && !l.airs);
      if (missing.length > 0) {
        throw new ConflictError(
          'required-language-missing',
          `Every bulletin of this commune needs a track in: ${missing.map(bothNames).join(', ')}`,
          { missingLanguages: missing.map((l) => l.language) },
        );
      }
      if (await bulletins.startProcessing(db, bulletinId, bulletin.revision)) {
        await recordAudit(db, who, {
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
      const before = await loadInUse(bulletinId);
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
      await inTransaction(db, async (tx) => {
        if (order) await bulletins.reorderTracks(tx, bulletinId, order);
        const after = await bulletins.update(tx, bulletinId, {
          ...fields,
          ...(settings ? { settings: { ...before.settings, ...settings } } : {}),
          ...(audioChanges
            ? { newRevision: true, status: before.tracks.length > 0 ? 'UPLOADED' : 'DRAFT' }
            : {}),
          withdrawApproval: airingChanges,
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
      const bulletin = await loadInUse(bulletinId);
      if (bulletin.authorId === who.actor.userId) {
        throw new AppError(
          403,
          'approval-needs-another-person',
          'A bulletin must be approved by someone other than its author',
        );
      }
      const approved = await inTransaction(db, async (tx) => {
        const done = await bulletins.approve(tx, bulletinId, bulletin.revision, who.actor.userId);
        if (done) {
          await recordAudit(tx, who, {
            action: 'bulletin.approve',
            entityType: 'bulletin',
            entityId: bulletinId,
            communeId: bulletin.communeId,
            after: { revision: bulletin.revision },
          });
        }
        return done;
      });
      if (!approved && !bulletin.approvedAt) {
        throw new ConflictError(
          'not-approvable',
          'Only a ready bulletin (processed, not changed since) can be approved',
        );
      }
      return this.get(bulletinId);
    },

    /** Approved → not approved: it stops airing (future broadcasts are planned again without it). */
    async withdrawApproval(bulletinId: string, who: Who, reason?: string) {
      const bulletin = await loadInUse(bulletinId);
      const withdrawn = await inTransaction(db, async (tx) => {
        if (!(await bulletins.withdrawApproval(tx, bulletinId))) return false;
        await recordAudit(tx, who, {
          action: 'bulletin.withdraw-approval',
          entityType: 'bulletin',
          entityId: bulletinId,
          communeId: bulletin.communeId,
          before: {
            revision: bulletin.revision,
            approvedById: bulletin.approvedById,
            approvedAt: bulletin.approvedAt,
          },
          reason,
        });
        return true;
      });
      if (!withdrawn) throw new ConflictError('not-approved', 'The bulletin is not approved');
      await replanSlotsOf(bulletinId);
      return this.get(bulletinId);
    },

    /**
     * Takes a bulletin out of use for good: kept with its renditions (evidence of what aired),
     * hidden from lists, never airs again. A draft that was never processed is erased instead.
     */
    async archive(bulletinId: string, who: Who, reason?: string) {
      const bulletin = await load(bulletinId);
      const archived = await inTransaction(db, async (tx) => {
        if (!(await bulletins.archive(tx, bulletinId))) return false;
        await recordAudit(tx, who, {
          action: 'bulletin.archive',
          entityType: 'bulletin',
          entityId: bulletinId,
          communeId: bulletin.communeId,
          before: { status: bulletin.status, revision: bulletin.revision, approvedAt: bulletin.approvedAt },
          reason,
        });
        return true;
      });
      if (!archived) throw new ConflictError('bulletin-archived', 'The bulletin is already archived');
      await replanSlotsOf(bulletinId);
      return this.get(bulletinId);
    },

    /** Erases a draft that was never processed, with its tracks and the originals no one else uses. */
    async erase(bulletinId: string, who: Who, reason?: string) {
      const bulletin = await load(bulletinId);
      const unused = await inTransaction(db, async (tx) => {
        const erased = await bulletins.eraseDraft(tx, bulletinId);
        if (erased === null) return null;
        await recordAudit(tx, who, {
          action: 'bulletin.delete',
          entityType: 'bulletin',
          entityId: bulletinId,
          communeId: bulletin.communeId,
          before: {
            title: bulletin.title,
            programme: bulletin.programme,
            status: bulletin.status,
            revision: bulletin.revision,
            tracks: bulletin.tracks.map((t) => ({
              language: t.language,
              sha256: t.sha256,
              source: t.source,
            })),
          },
          reason,
        });
        return erased;
      });
      if (unused === null) {
        throw new ConflictError(
          'bulletin-not-erasable',
          'Only a draft that was never processed can be deleted; archive this bulletin instead',
        );
      }
      // After commit; an original a new track took meanwhile stays.
      for (const sha256 of unused) {
        if (!(await bulletins.originalInUse(db, sha256)))
          await rm(store.originalPath(sha256), { force: true });
      }
    },
  };
}

export type BulletinService = ReturnType<typeof bulletinService>;

export interface UpdateInput {
  title?: string;
  programme?: string;
  priority?: Priority;
  validFrom?: string | null;
  validUntil?: string | null;
  settings?: Partial<PlaySettings>;
  order?: string[];
  reason?: string;
}

function pick(row: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => keys.includes(key)));
}
