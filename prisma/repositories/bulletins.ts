// The only code that reads and writes bulletin, bulletin_track and media_file rows, for the API
// (editing, approval) and the transcode worker (its status as it processes). Status changes are
// compare-and-set on the revision they were meant for: a lost race is a `false`, not an error.
import type { Actor, CommuneRef } from '../../domain/access.ts';
import { type BULLETIN_STATUSES, PlaySettings } from '../../domain/bulletin.ts';
import type { Priority } from '../../domain/priority.ts';
import type { Prisma } from '../generated/client.ts';
import { COMMUNE_REF } from './commune-ref.ts';
import type { Db } from './db.ts';
import { type StoredRendition, toStoredRendition } from './renditions.ts';
import { communeWhere } from './scope.ts';

export type BulletinStatus = (typeof BULLETIN_STATUSES)[number];
export const TRACK_SOURCES = ['UPLOAD', 'RECORDING', 'TTS'] as const;
export type TrackSource = (typeof TRACK_SOURCES)[number];

export interface StoredBulletin {
  id: string;
  communeId: string;
  title: string;
  programme: string;
  priority: Priority;
  validFrom: Date | null;
  validUntil: Date | null;
  status: BulletinStatus;
  failureReason: string | null;
  progress: number;
  settings: PlaySettings;
  revision: number;
  authorId: string;
  authorName: string;
  approvedById: string | null;
  approverName: string | null;
  approvedAt: Date | null;
  /** Taken out of use: kept with its renditions as evidence, never airs again. */
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredTrack {
  language: string;
  languageName: string;
  position: number;
  source: TrackSource;
  originalName: string;
  sha256: string;
  durationSec: number;
  codec: string;
}

/** A bulletin with its tracks in play order and the renditions of its current revision. */
export interface BulletinWithAudio extends StoredBulletin {
  tracks: StoredTrack[];
  renditions: StoredRendition[];
  /** Never processed (no rendition of any revision), so never approved nor aired: may be erased. */
  erasable: boolean;
  /** The languages of its commune, and those that each bulletin of it must have. */
  commune: { languages: string[]; requiredLanguages: string[] };
}

export interface BulletinSummary extends StoredBulletin {
  /** The languages of its tracks, in play order. */
  languages: string[];
}

/** What a user sets on a bulletin (dates as ISO strings from the API, or Dates). */
export interface BulletinFields {
  title: string;
  programme: string;
  priority: Priority;
  validFrom: Date | string | null;
  validUntil: Date | string | null;
  settings: PlaySettings;
}

export interface BulletinChange extends Partial<BulletinFields> {
  status?: BulletinStatus;
  /** What would air changed: a new revision, whose renditions and approval are still to come. */
  newRevision?: boolean;
  /** What or when it airs changed: the approval no longer holds. */
  withdrawApproval?: boolean;
}

/** A decoded, identified audio file, stored once per content (sha256). */
export interface MediaFileInfo {
  sha256: string;
  bytes: number;
  formatName: string;
  codec: string;
  sampleRate: number;
  channels: number;
  durationSec: number;
}

export interface TrackFields {
  sha256: string;
  source: TrackSource;
  originalName: string;
  ttsText: string | null;
}

export interface BulletinFilter {
  communeId?: string;
  status?: BulletinStatus;
  priority?: Priority;
  /** Archived bulletins: left out (default), included, or only those. */
  archived?: 'exclude' | 'include' | 'only';
}

const people = {
  author: { select: { displayName: true } },
  approvedBy: { select: { displayName: true } },
} as const;

const withAudio = {
  ...people,
  tracks: { include: { media: true, lang: true }, orderBy: { position: 'asc' } },
  renditions: true,
  commune: { select: { languages: true, requiredLanguages: true } },
} as const satisfies Prisma.BulletinInclude;

type BulletinRow = Prisma.BulletinGetPayload<{ include: typeof people }>;
type BulletinWithAudioRow = Prisma.BulletinGetPayload<{ include: typeof withAudio }>;

function toStoredBulletin({ author, approvedBy, ...b }: BulletinRow): StoredBulletin {
  return {
    id: b.id,
    communeId: b.communeId,
    title: b.title,
    programme: b.programme,
    priority: b.priority,
    validFrom: b.validFrom,
    validUntil: b.validUntil,
    status: b.status,
    failureReason: b.failureReason,
    progress: b.progress,
    settings: PlaySettings.parse(b.settings ?? {}),
    revision: b.revision,
    authorId: b.authorId,
    authorName: author.displayName,
    approvedById: b.approvedById,
    approverName: approvedBy?.displayName ?? null,
    approvedAt: b.approvedAt,
    archivedAt: b.archivedAt,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
  };
}

function toBulletinWithAudio(row: BulletinWithAudioRow): BulletinWithAudio {
  return {
    ...toStoredBulletin(row),
    tracks: row.tracks.map((t) => ({
      language: t.language,
      languageName: t.lang.nameVi,
      position: t.position,
      source: t.source,
      originalName: t.originalName,
      sha256: t.sourceSha256,
      durationSec: t.media.durationSec,
      codec: t.media.codec,
    })),
    renditions: row.renditions
      .filter((r) => r.revision === row.revision)
      .sort(
        (x, y) =>
          (x.language ?? '').localeCompare(y.language ?? '') || x.profileId.localeCompare(y.profileId),
      )
      .map(toStoredRendition),
    erasable: row.renditions.length === 0 && row.status !== 'PROCESSING' && row.archivedAt === null,
    commune: row.commune,
  };
}

function toColumns(change: BulletinChange) {
  const { newRevision, withdrawApproval, settings, ...fields } = change;
  return {
    ...fields,
    ...(settings ? { settings: settings as Prisma.InputJsonValue } : {}),
    ...(newRevision ? { revision: { increment: 1 }, progress: 0, failureReason: null } : {}),
    ...(newRevision || withdrawApproval ? { approvedById: null, approvedAt: null } : {}),
  };
}

export const bulletinRepository = {
  async find(db: Db, id: string): Promise<BulletinWithAudio | null> {
    const row = await db.bulletin.findUnique({ where: { id }, include: withAudio });
    return row ? toBulletinWithAudio(row) : null;
  },

  /** The bulletins of the communes the actor reaches, newest first (at most 500). */
  async listReachedBy(db: Db, actor: Actor | null, filter: BulletinFilter = {}): Promise<BulletinSummary[]> {
    const rows = await db.bulletin.findMany({
      where: {
        commune: communeWhere(actor),
        ...(filter.communeId ? { communeId: filter.communeId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.priority ? { priority: filter.priority } : {}),
        ...(filter.archived === 'include'
          ? {}
          : { archivedAt: filter.archived === 'only' ? { not: null } : null }),
      },
      include: { ...people, tracks: { select: { language: true }, orderBy: { position: 'asc' } } },
      orderBy: { createdAt: 'desc' },
      take: 500,
    });
    return rows.map(({ tracks, ...row }) => ({
      ...toStoredBulletin(row),
      languages: tracks.map((t) => t.language),
    }));
  },

  async create(
    db: Db,
    bulletin: Partial<BulletinFields> & { title: string; communeId: string; authorId: string },
  ): Promise<StoredBulletin> {
    const { settings, ...fields } = bulletin;
    const row = await db.bulletin.create({
      data: { ...fields, ...(settings ? { settings: settings as Prisma.InputJsonValue } : {}) },
      include: people,
    });
    return toStoredBulletin(row);
  },

  async update(db: Db, id: string, change: BulletinChange): Promise<StoredBulletin> {
    return toStoredBulletin(
      await db.bulletin.update({ where: { id }, data: toColumns(change), include: people }),
    );
  },

  /** Where its processing stands (what the live progress feed shows). */
  progressOf(
    db: Db,
    id: string,
  ): Promise<Pick<StoredBulletin, 'status' | 'progress' | 'failureReason' | 'revision'> | null> {
    return db.bulletin.findUnique({
      where: { id },
      select: { status: true, progress: true, failureReason: true, revision: true },
    });
  },

  /** The commune (id, province) a bulletin belongs to, for access checks. */
  async communeOf(db: Db, id: string): Promise<CommuneRef | null> {
    const row = await db.bulletin.findUnique({ where: { id }, select: { commune: { select: COMMUNE_REF } } });
    return row?.commune ?? null;
  },

  /** Keeps what an audio file is; the same content is described once. */
  async keepMediaFile(db: Db, media: MediaFileInfo): Promise<void> {
    const { sha256, bytes, ...rest } = media;
    await db.mediaFile.upsert({
      where: { sha256 },
      create: { sha256, bytes: BigInt(bytes), ...rest },
      update: {},
    });
  },

  /** Sets the track of a language: replaced in place, or added after the others. */
  async putTrack(db: Db, bulletinId: string, language: string, track: TrackFields): Promise<void> {
    const key = { bulletinId_language: { bulletinId, language } };
    const existing = await db.bulletinTrack.findUnique({ where: key });
    const position = existing?.position ?? (await db.bulletinTrack.count({ where: { bulletinId } }));
    const data = {
      sourceSha256: track.sha256,
      source: track.source,
      originalName: track.originalName,
      ttsText: track.ttsText,
    };
    await db.bulletinTrack.upsert({
      where: key,
      create: { bulletinId, language, position, ...data },
      update: data,
    });
  },

  /** Removes a language's track and closes the gap; the number of tracks left, or null if none was there. */
  async removeTrack(db: Db, bulletinId: string, language: string): Promise<number | null> {
    const removed = await db.bulletinTrack.deleteMany({ where: { bulletinId, language } });
    if (removed.count === 0) return null;
    const left = await db.bulletinTrack.findMany({ where: { bulletinId }, orderBy: { position: 'asc' } });
    for (const [position, track] of left.entries()) {
      await db.bulletinTrack.update({ where: { id: track.id }, data: { position } });
    }
    return left.length;
  },

  /** Puts the tracks in `order` (every language of the bulletin, once). */
  async reorderTracks(db: Db, bulletinId: string, order: readonly string[]): Promise<void> {
    // Two steps, so positions never collide half-way.
    for (const [i, language] of order.entries()) {
      await db.bulletinTrack.update({
        where: { bulletinId_language: { bulletinId, language } },
        data: { position: 100 + i },
      });
    }
    await db.bulletinTrack.updateMany({ where: { bulletinId }, data: { position: { decrement: 100 } } });
  },

  /** UPLOADED or FAILED → PROCESSING, for this revision only. */
  async startProcessing(db: Db, id: string, revision: number): Promise<boolean> {
    const moved = await db.bulletin.updateMany({
      where: { id, revision, status: { in: ['UPLOADED', 'FAILED'] } },
      data: { status: 'PROCESSING', progress: 0, failureReason: null },
    });
    return moved.count === 1;
  },

  /** Progress of the processing of this revision (0..1); ignored once it has settled. */
  async reportProgress(db: Db, id: string, revision: number, progress: number): Promise<void> {
    await db.bulletin.updateMany({ where: { id, revision, status: 'PROCESSING' }, data: { progress } });
  },

  /** PROCESSING → READY, for this revision only. */
  async markReady(db: Db, id: string, revision: number): Promise<boolean> {
    const done = await db.bulletin.updateMany({
      where: { id, revision, status: 'PROCESSING' },
      data: { status: 'READY', progress: 1, failureReason: null },
    });
    return done.count === 1;
  },

  /** PROCESSING → FAILED with the reason shown to the user, for this revision only. */
  async markFailed(db: Db, id: string, revision: number, reason: string): Promise<boolean> {
    const done = await db.bulletin.updateMany({
      where: { id, revision, status: 'PROCESSING' },
      data: { status: 'FAILED', failureReason: reason.slice(0, 1000), progress: 0 },
    });
    return done.count === 1;
  },

  /** Approval of a READY, not yet approved revision of a bulletin in use. */
  async approve(db: Db, id: string, revision: number, approverId: string): Promise<boolean> {
    const done = await db.bulletin.updateMany({
      where: { id, revision, status: 'READY', approvedAt: null, archivedAt: null },
      data: { approvedById: approverId, approvedAt: new Date() },
    });
    return done.count === 1;
  },

  /** Approved → not approved (it no longer airs); false when it was not approved. */
  async withdrawApproval(db: Db, id: string): Promise<boolean> {
    const done = await db.bulletin.updateMany({
      where: { id, approvedAt: { not: null }, archivedAt: null },
      data: { approvedById: null, approvedAt: null },
    });
    return done.count === 1;
  },

  /** In use → archived (kept, never airs again); false when it already was. */
  async archive(db: Db, id: string): Promise<boolean> {
    const done = await db.bulletin.updateMany({
      where: { id, archivedAt: null },
      data: { archivedAt: new Date() },
    });
    return done.count === 1;
  },

  /**
   * Erases a bulletin that was never processed (no rendition of any revision, not processing, in
   * no playlist) with its tracks, and the descriptions of the originals no other track uses.
   * Returns the sha256 of those originals (their files may go), or null when it may not be erased.
   */
  async eraseDraft(db: Db, id: string): Promise<string[] | null> {
    const tracks = await db.bulletinTrack.findMany({
      where: { bulletinId: id },
      select: { sourceSha256: true },
    });
    const erased = await db.bulletin.deleteMany({
      where: {
        id,
        status: { not: 'PROCESSING' },
        archivedAt: null,
        renditions: { none: {} },
        slots: { none: {} },
      },
    });
    if (erased.count !== 1) return null;
    const candidates = [...new Set(tracks.map((t) => t.sourceSha256))];
    const unused = await db.mediaFile.findMany({
      where: { sha256: { in: candidates }, tracks: { none: {} } },
      select: { sha256: true },
    });
    const shas = unused.map((m) => m.sha256);
    await db.mediaFile.deleteMany({ where: { sha256: { in: shas }, tracks: { none: {} } } });
    return shas;
  },

  /** Whether an original (by content) is still used by some track. */
  async originalInUse(db: Db, sha256: string): Promise<boolean> {
    return (await db.bulletinTrack.count({ where: { sourceSha256: sha256 } })) > 0;
  },

  /** The slots whose playlist holds the bulletin (their broadcasts are planned from it). */
  async slotsPlaying(db: Db, id: string): Promise<string[]> {
    const rows = await db.slotBulletin.findMany({ where: { bulletinId: id }, select: { slotId: true } });
    return [...new Set(rows.map((r) => r.slotId))];
  },

  /** Every bulletin waiting on a transcode, by the revision it waits for. */
  processing(db: Db): Promise<{ id: string; revision: number }[]> {
    return db.bulletin.findMany({ where: { status: 'PROCESSING' }, select: { id: true, revision: true } });
  },

  /**
   * The approved (READY, approvedAt set, not archived) bulletins among `ids` of a commune, with the measured
   * seconds of their current programme (null when not measured).
   */
  async approvedOfCommune(
    db: Db,
    communeId: string,
    ids: readonly string[],
  ): Promise<Map<string, { programmeSec: number | null }>> {
    const rows = await db.bulletin.findMany({
      where: {
        id: { in: [...ids] },
        communeId,
        status: 'READY',
        approvedAt: { not: null },
        archivedAt: null,
      },
      select: {
        id: true,
        revision: true,
        renditions: { where: { language: null }, select: { revision: true, durationSec: true } },
      },
    });
    return new Map(
      rows.map((b) => {
        const current = b.renditions.filter((r) => r.revision === b.revision);
        const programmeSec = current.length > 0 ? Math.max(...current.map((r) => r.durationSec)) : null;
        return [b.id, { programmeSec }];
      }),
    );
  },
};
