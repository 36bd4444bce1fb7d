// Bulletins: create and edit, language tracks (upload, browser recording, text-to-speech),
// processing, approval, live progress (SSE), and the renditions' audio.

import { rm } from 'node:fs/promises';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { type Actor, hasRoleIn, ROLES } from '../../../domain/access.ts';
import { BULLETIN_STATUSES as STATUSES } from '../../../domain/bulletin.ts';
import { PRIORITIES } from '../../../domain/priority.ts';
import type { MediaStore } from '../../../media/store.ts';
import { findTtsEngine, TTS_ENGINES, TTS_TIME_LIMIT_MS, TtsTimeoutError } from '../../../media/tts.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { bulletinRepository as bulletins } from '../../../prisma/repositories/bulletins.ts';
import { communeRef } from '../../../prisma/repositories/commune-ref.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import { renditionRepository } from '../../../prisma/repositories/renditions.ts';
import { AppError, NotFoundError, UnavailableError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Uuid } from '../../http/schemas.ts';
import { sendStoredFile } from '../../http/send-file.ts';
import { toInterruptedProblem } from './media-errors.ts';
import type { ProgressFeed } from './progress-feed.ts';
import {
  BulletinOut,
  BulletinParams,
  CreateBulletin,
  ReasonBody,
  TrackParams,
  UpdateBulletin,
} from './schemas.ts';
import type { BulletinService } from './service.ts';
import { receiveAudioFile } from './upload.ts';

const EDITORS = ['OFFICER', 'SCHEDULER'] as const;
const APPROVERS = ['OFFICER', 'SCHEDULER'] as const;

export interface BulletinRouteDeps {
  db: DbClient;
  store: MediaStore;
  service: BulletinService;
  feed: ProgressFeed;
  maxUploadBytes: number;
  /** How long text-to-speech may run for one track (TTS_TIME_LIMIT_MS unless given). */
  ttsTimeLimitMs?: number;
}

const BulletinSummary = BulletinOut.omit({
  tracks: true,
  renditions: true,
  erasable: true,
  languagePlan: true,
  missingLanguages: true,
})
  .extend({ languages: z.array(z.string()) })
  .meta({ id: 'BulletinSummary' });
const ListQuery = z.strictObject({
  communeId: Uuid.optional(),
  status: z.enum(STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  archived: z
    .enum(['exclude', 'include', 'only'])
    .default('exclude')
    .meta({ description: 'Archived bulletins are left out unless asked for' }),
});
const TrackSourceQuery = z.strictObject({ source: z.enum(['upload', 'recording']).default('upload') });
const TtsBody = z.strictObject({
  text: z.string().trim().min(1, 'must not be empty').max(5000, 'at most 5000 characters'),
  engine: z.string().max(40).default('espeak-ng'),
});
const RenditionParams = z.strictObject({ bulletinId: Uuid, renditionId: Uuid });

export function bulletinRoutes(deps: BulletinRouteDeps): RouteDefinition[] {
  const { db, service, store } = deps;
  const communeOfBulletin = ({ params }: { params: { bulletinId: string } }) =>
    bulletins.communeOf(db, params.bulletinId);
  const communeById = ({ body }: { body: { communeId: string } }) => communeRef(db, body.communeId);
  /** Emergency bulletins preempt everything: only a scheduler of the commune may make one. */
  const requireScheduler = async (actor: Actor | null, communeId: string) => {
    const commune = await communeRef(db, communeId);
    if (!actor || !commune || !hasRoleIn(actor, ['SCHEDULER'], commune)) {
      throw new AppError(
        403,
        'emergency-needs-scheduler',
        'Only a scheduler of the commune can make an emergency bulletin',
      );
    }
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/bulletins',
      summary: 'Bulletins of the communes within your scope, newest first',
      tags: ['bulletins'],
      access: { kind: 'scoped', roles: ROLES },
      request: { query: ListQuery },
      response: { description: 'Bulletins', schema: z.array(BulletinSummary) },
      problems: [401, 403],
      handler: ({ query }, { actor }) => bulletins.listReachedBy(db, actor, query),
    }),
    defineRoute({
      method: 'post',
      path: '/api/bulletins',
      summary: 'Create a bulletin (then add its language tracks)',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: EDITORS, commune: communeById },
      request: { body: CreateBulletin },
      response: { status: 201, description: 'Created', schema: BulletinOut },
      problems: [401, 403, 404],
      handler: async ({ body }, { actor, origin }) => {
        if (body.priority === 'EMERGENCY') await requireScheduler(actor, body.communeId);
        const { reason, ...data } = body;
        const created = await inTransaction(db, async (tx) => {
          const bulletin = await bulletins.create(tx, { ...data, authorId: actor?.userId as string });
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'bulletin.create',
              entityType: 'bulletin',
              entityId: bulletin.id,
              communeId: bulletin.communeId,
              after: data,
              reason,
            },
          );
          return bulletin;
        });
        return service.get(created.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/bulletins/:bulletinId',
      summary: 'One bulletin with its tracks and current renditions',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfBulletin },
      request: { params: BulletinParams },
      response: { description: 'Bulletin', schema: BulletinOut },
      problems: [401, 403, 404],
      handler: ({ params }) => service.get(params.bulletinId),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/bulletins/:bulletinId',
      summary: 'Change title, programme, priority, validity, play settings or play order',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: EDITORS, commune: communeOfBulletin },
      request: { params: BulletinParams, body: UpdateBulletin },
      response: { description: 'Updated', schema: BulletinOut },
      problems: [401, 403, 404],
      handler: async ({ params, body }, { actor, origin }) => {
        if (body.priority === 'EMERGENCY')
          await requireScheduler(actor, (await service.load(params.bulletinId)).communeId);
        return service.update(params.bulletinId, body, { actor, origin });
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/bulletins/:bulletinId/tracks/:language',
      summary: 'Upload or record the track of one language (multipart/form-data, field "file")',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: EDITORS, commune: communeOfBulletin },
      request: { params: TrackParams, query: TrackSourceQuery },
      upload: {
        field: 'file',
        description: 'Audio in any format ffmpeg decodes (MP3, WAV, M4A, OGG/Opus, WebM, AMR, 3GP…)',
      },
      response: { description: 'The bulletin with its new track', schema: BulletinOut },
      problems: [401, 403, 404, 413, 415, 422],
      handler: async ({ params, query }, { req, res, actor, origin }) => {
        try {
          await service.checkLanguage(params.language);
        } catch (err) {
          // Refuse before reading a possibly large body, and do not keep the connection.
          res.setHeader('Connection', 'close');
          throw err;
        }
        const file = await receiveAudioFile(req, store, deps.maxUploadBytes);
        try {
          const source = query.source === 'recording' ? 'RECORDING' : 'UPLOAD';
          return await service.putTrack(params.bulletinId, params.language, file, source, { actor, origin });
        } finally {
          await rm(file.path, { force: true });
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/bulletins/:bulletinId/tracks/:language/tts',
      summary: 'Make the track of a language by text-to-speech',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: EDITORS, commune: communeOfBulletin },
      request: { params: TrackParams, body: TtsBody },
      response: { description: 'The bulletin with its new track', schema: BulletinOut },
      problems: [401, 403, 404, 422, 503],
      handler: async ({ params, body }, { actor, origin }) => {
        await service.checkLanguage(params.language);
        const engine = findTtsEngine(body.engine);
        if (!engine)
          throw new AppError(400, 'unknown-tts-engine', `No text-to-speech engine "${body.engine}"`);
        const why = await engine.unavailableReason();
        if (why) throw new AppError(503, 'tts-unavailable', why);
        if (!engine.languages.includes(params.language)) {
          throw new AppError(
            422,
            'tts-language-unsupported',
            `${engine.label} cannot speak ${params.language}`,
          );
        }
        const path = await store.newTmpPath('tts');
        try {
          await engine
            .synthesize(body.text, params.language, path, {
              timeLimitMs: deps.ttsTimeLimitMs ?? TTS_TIME_LIMIT_MS,
            })
            .catch((err) => {
              // Stuck or starved: the child is already killed; the user may try again later.
              if (err instanceof TtsTimeoutError) throw new UnavailableError('tts-timed-out', err.message);
              throw toInterruptedProblem(err);
            });
          const file = { path, ...(await store.fingerprint(path)), fileName: `${engine.id}.wav` };
          return await service.putTrack(
            params.bulletinId,
            params.language,
            file,
            'TTS',
            { actor, origin },
            body.text,
          );
        } finally {
          await rm(path, { force: true });
        }
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/bulletins/:bulletinId/tracks/:language',
      summary: 'Remove the track of a language',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: EDITORS, commune: communeOfBulletin },
      request: { params: TrackParams },
      response: { description: 'The bulletin without that track', schema: BulletinOut },
      problems: [401, 403, 404],
      handler: ({ params }, { actor, origin }) =>
        service.removeTrack(params.bulletinId, params.language, { actor, origin }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/bulletins/:bulletinId/transcode',
      summary: 'Process the bulletin into renditions (also retries a failed processing)',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: EDITORS, commune: communeOfBulletin },
      request: { params: BulletinParams },
      response: { status: 202, description: 'Processing', schema: BulletinOut },
      problems: [401, 403, 404, 409],
      handler: ({ params }, { actor, origin }) =>
        service.requestTranscode(params.bulletinId, { actor, origin }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/bulletins/:bulletinId/approve',
      summary: 'Approve a ready bulletin for airing (by someone other than its author)',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: APPROVERS, commune: communeOfBulletin },
      request: { params: BulletinParams },
      response: { description: 'Approved', schema: BulletinOut },
      problems: [401, 403, 404, 409],
      handler: ({ params }, { actor, origin }) =>
        service.approve(params.bulletinId, { actor: actor as Actor, origin }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/bulletins/:bulletinId/withdraw-approval',
      summary:
        'Withdraw the approval of a bulletin: it no longer airs (its future broadcasts are planned again)',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: APPROVERS, commune: communeOfBulletin },
      request: { params: BulletinParams, body: ReasonBody },
      response: { description: 'Not approved any more', schema: BulletinOut },
      problems: [401, 403, 404, 409],
      handler: ({ params, body }, { actor, origin }) =>
        service.withdrawApproval(params.bulletinId, { actor, origin }, body?.reason),
    }),
    defineRoute({
      method: 'post',
      path: '/api/bulletins/:bulletinId/archive',
      summary:
        'Archive a bulletin: kept with its renditions as evidence, hidden from lists, never airs again',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: EDITORS, commune: communeOfBulletin },
      request: { params: BulletinParams, body: ReasonBody },
      response: { description: 'Archived', schema: BulletinOut },
      problems: [401, 403, 404, 409],
      handler: ({ params, body }, { actor, origin }) =>
        service.archive(params.bulletinId, { actor, origin }, body?.reason),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/bulletins/:bulletinId',
      summary: 'Delete a draft that was never processed, with its tracks (otherwise archive it)',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: EDITORS, commune: communeOfBulletin },
      request: { params: BulletinParams },
      response: { status: 204, description: 'Deleted' },
      problems: [401, 403, 404, 409],
      handler: async ({ params }, { actor, origin }) => {
        await service.erase(params.bulletinId, { actor, origin });
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/bulletins/:bulletinId/events',
      summary: 'Live status and processing progress (Server-Sent Events: status, progress)',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfBulletin },
      request: { params: BulletinParams },
      response: { description: 'An event stream', contentType: 'text/event-stream' },
      problems: [401, 403, 404],
      handler: ({ params }, { req, res }) => streamEvents(params.bulletinId, req, res, deps),
    }),
    defineRoute({
      method: 'get',
      path: '/api/bulletins/:bulletinId/renditions/:renditionId/audio',
      summary: 'The audio of a rendition (supports Range, for players)',
      tags: ['bulletins'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfBulletin },
      request: { params: RenditionParams },
      response: { description: 'Audio', contentType: 'audio/*' },
      problems: [401, 403, 404],
      handler: async ({ params }, { req, res }) => {
        const rendition = await renditionRepository.find(db, params.bulletinId, params.renditionId);
        if (!rendition) throw new NotFoundError('rendition');
        await sendStoredFile(req, res, store.resolveRelative(rendition.path), {
          headers: { 'Content-Type': rendition.mimeType },
          maxAge: '365d',
          immutable: true,
        });
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tts/engines',
      summary: 'Text-to-speech engines and whether each is installed',
      tags: ['bulletins'],
      access: { kind: 'signed-in' },
      response: {
        description: 'Engines',
        schema: z.array(
          z.object({
            id: z.string(),
            label: z.string(),
            languages: z.array(z.string()),
            unavailableReason: z.string().nullable(),
          }),
        ),
      },
      problems: [401],
      handler: () =>
        Promise.all(
          TTS_ENGINES.map(async (e) => ({
            id: e.id,
            label: e.label,
            languages: e.languages,
            unavailableReason: await e.unavailableReason(),
          })),
        ),
    }),
  ];
}

async function streamEvents(bulletinId: string, req: Request, res: Response, deps: BulletinRouteDeps) {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const sendStatus = async () => {
    const progress = await bulletins.progressOf(deps.db, bulletinId);
    if (progress) send('status', progress);
  };
  const unsubscribe = deps.feed.subscribe(bulletinId, (event) => {
    if (event.kind === 'progress') send('progress', { progress: event.progress });
    else void sendStatus();
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
  await sendStatus();
  return undefined;
}
