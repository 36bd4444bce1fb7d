// transcode-bulletin: the bulletin's tracks → normalised, assembled programme and per-language
// renditions for every device profile, verified, with waveform peaks; then READY, but only if
// the bulletin is still at the revision this job was made for (compare-and-set).
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import { generateChime } from '../../media/fixtures.ts';
import { type PipelineResult, type Rendition, runBulletinPipeline } from '../../media/pipeline.ts';
import { MediaError } from '../../media/probe.ts';
import type { MediaStore } from '../../media/store.ts';
import { computeWaveform } from '../../media/waveform.ts';
import type { Config } from '../../platform/config.ts';
import { bulletinRepository as bulletins } from '../../prisma/repositories/bulletins.ts';
import { type DbClient, inTransaction } from '../../prisma/repositories/db.ts';
import { type NewRendition, renditionRepository } from '../../prisma/repositories/renditions.ts';
import { JOBS } from './catalogue.ts';

export interface TranscodeContext {
  db: DbClient;
  store: MediaStore;
  config: Config;
}

/** The default intro chime, made once per media directory. */
async function chimePath(store: MediaStore): Promise<string> {
  const path = join(store.root, 'chimes', 'default.wav');
  if (!existsSync(path)) {
    const tmp = await store.newTmpPath('chime');
    await generateChime(`${tmp}.wav`);
    await mkdir(join(store.root, 'chimes'), { recursive: true });
    await rename(`${tmp}.wav`, path);
  }
  return path;
}

function throttled(fn: (p: number) => Promise<unknown>, everyMs: number) {
  let last = 0;
  return (p: number) => {
    const now = Date.now();
    if (now - last < everyMs && p < 1) return;
    last = now;
    void fn(p).catch(() => {});
  };
}

async function renditionRows(
  result: PipelineResult,
  bulletinId: string,
  revision: number,
  store: MediaStore,
  signal?: AbortSignal,
): Promise<NewRendition[]> {
  const row = async (r: Rendition, language: string | null, segments?: unknown): Promise<NewRendition> => ({
    bulletinId,
    revision,
    language,
    profileId: r.profileId,
    path: store.relativeTo(r.path),
    mimeType: r.mimeType,
    codec: r.codec,
    sampleRate: r.sampleRate,
    channels: r.channels,
    bytes: r.bytes,
    sha256: r.sha256,
    durationSec: r.durationSec,
    integratedLufs: r.integratedLufs,
    truePeakDbtp: r.truePeakDbtp,
    peakTrimDb: r.peakTrimDb,
    peaks: (await computeWaveform({ path: r.path }, { length: 600, signal })).peaks,
    segments: segments ?? null,
  });
  const rows = [];
  for (const r of result.programme.renditions) rows.push(await row(r, null, result.programme.segments));
  for (const l of result.languages) for (const r of l.renditions) rows.push(await row(r, l.language));
  return rows;
}

export async function transcodeBulletin(job: Job, ctx: TranscodeContext, signal?: AbortSignal) {
  const { bulletinId, revision } = JOBS['transcode-bulletin'].payload.parse(job.data);
  const { db, store, config } = ctx;
  const bulletin = await bulletins.find(db, bulletinId);
  // Deleted, changed since, or already done: nothing to do (a retry or a duplicate).
  if (!bulletin || bulletin.revision !== revision || bulletin.status !== 'PROCESSING')
    return { skipped: true };

  const missing = bulletin.tracks.filter((t) => !existsSync(store.originalPath(t.sha256)));
  if (missing.length > 0) {
    // Originals are immutable and never deleted: a missing one is a storage fault to repair, not
    // something a retry in a minute will fix.
    throw new UnrecoverableError(
      `original audio missing from storage for: ${missing.map((t) => t.language).join(', ')}`,
    );
  }
  const { settings } = bulletin;
  const outputDir = store.renditionDir(bulletinId, revision);
  await rm(outputDir, { recursive: true, force: true });
  const progress = throttled(async (p) => {
    await job.updateProgress(p);
    await bulletins.reportProgress(db, bulletinId, revision, p);
  }, 1000);
  try {
    const result = await runBulletinPipeline({
      tracks: bulletin.tracks.map((t) => ({
        language: t.language,
        path: store.originalPath(t.sha256),
      })),
      settings: {
        chimePath: settings.chime ? await chimePath(store) : undefined,
        outroChimePath: settings.outroChime ? await chimePath(store) : undefined,
        gapSec: settings.gapSec,
        repeat: settings.repeat,
        repeatGapSec: settings.repeatGapSec,
        loudness: {
          integratedLufs: config.LOA_LOUDNESS_LUFS,
          truePeakDbtp: config.LOA_TRUE_PEAK_DBTP,
          loudnessRangeLu: 11,
        },
        band: { highpassHz: config.LOA_HIGHPASS_HZ, lowpassHz: config.LOA_LOWPASS_HZ },
      },
      outputDir,
      workParentDir: store.tmpDir,
      signal,
      onProgress: (p) => progress(Math.min(0.95, p * 0.95)),
    });
    const rows = await renditionRows(result, bulletinId, revision, store, signal);
    const landed = await inTransaction(db, async (tx) => {
      if (!(await bulletins.markReady(tx, bulletinId, revision))) return false;
      await renditionRepository.replace(tx, bulletinId, revision, rows);
      return true;
    });
    if (!landed) {
      await rm(outputDir, { recursive: true, force: true });
      return { superseded: true };
    }
    await job.updateProgress(1);
    return { renditions: rows.length, durationSec: result.programme.durationSec, wallMs: result.wallMs };
  } catch (err) {
    await rm(outputDir, { recursive: true, force: true });
    // Bad media will not get better on a retry.
    if (err instanceof MediaError) throw new UnrecoverableError(`${err.code}: ${err.message}`);
    throw err;
  }
}

/**
 * BullMQ's own reasons for failing a job it no longer runs, in words the officer can act on: a
 * job whose worker died with it once more than the stall limit (maxStalledCount) allows is failed
 * by the next worker without running it — the same input would likely take that worker down too.
 */
const QUEUE_REASONS: Record<string, string> = {
  'job stalled more than allowable limit':
    'Máy xử lý đã dừng đột ngột nhiều lần khi đang xử lý bản tin này (có thể do thiếu bộ nhớ); ' +
    'hãy xử lý lại hoặc tải lên tệp khác / The worker stopped abruptly more than once while ' +
    'processing this bulletin (perhaps out of memory); process it again or upload another file',
};

/** The reason a bulletin shows for its failed processing. */
export function transcodeFailureReason(message: string): string {
  return QUEUE_REASONS[message] ?? message;
}

/**
 * Called when the job has failed for good: the bulletin says why, and can be retried. A
 * compare-and-set on the revision still processing, so calling it again changes nothing.
 */
export async function markTranscodeFailed(db: DbClient, data: unknown, reason: string): Promise<boolean> {
  const parsed = JOBS['transcode-bulletin'].payload.safeParse(data);
  if (!parsed.success) return false;
  const { bulletinId, revision } = parsed.data;
  return bulletins.markFailed(db, bulletinId, revision, transcodeFailureReason(reason));
}
