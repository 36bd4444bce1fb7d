// The only code that reads and writes rendition rows: the encoded, verified audio of one
// revision of a bulletin, for one device profile (language null: the whole programme).
import type { Rendition } from '../../media/pipeline.ts';
import type { Prisma } from '../generated/client.ts';
import type { Db } from './db.ts';

/** A rendition as stored: what the pipeline made, for which bulletin revision and language. */
export interface StoredRendition extends Omit<Rendition, 'fileName'> {
  id: string;
  bulletinId: string;
  revision: number;
  language: string | null;
  peaks: number[];
  /** Programme only: where each language (and chime) sits. */
  segments: unknown | null;
  createdAt: Date;
}

export type NewRendition = Omit<StoredRendition, 'id' | 'createdAt'>;

type RenditionRow = Prisma.RenditionGetPayload<true>;

export function toStoredRendition(r: RenditionRow): StoredRendition {
  return {
    ...r,
    bytes: Number(r.bytes),
    peaks: (r.peaks as number[]) ?? [],
    segments: r.segments ?? null,
  };
}

export const renditionRepository = {
  async find(db: Db, bulletinId: string, id: string): Promise<StoredRendition | null> {
    const row = await db.rendition.findFirst({ where: { id, bulletinId } });
    return row ? toStoredRendition(row) : null;
  },

  /** The renditions of one revision, replacing any an earlier attempt left. */
  async replace(db: Db, bulletinId: string, revision: number, renditions: NewRendition[]): Promise<void> {
    await db.rendition.deleteMany({ where: { bulletinId, revision } });
    await db.rendition.createMany({
      data: renditions.map(({ bytes, peaks, segments, ...r }) => ({
        ...r,
        bytes: BigInt(bytes),
        peaks: peaks as Prisma.InputJsonValue,
        ...(segments ? { segments: segments as Prisma.InputJsonValue } : {}),
      })),
    });
  },
};
