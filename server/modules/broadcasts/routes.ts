// Broadcasts: the airings of a day, one airing and what the recorder captured of it, the live
// board (JSON and Server-Sent Events), emergency broadcasts and test tones.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import { type Actor, ROLES } from '../../../domain/access.ts';
import { findProfile } from '../../../media/profiles.ts';
import type { MediaStore } from '../../../media/store.ts';
import {
  broadcastsOfDay,
  broadcastView,
  communeOfBroadcast,
  liveBoard,
  recordingOf,
} from '../../../prisma/repositories/broadcast-views.ts';
import { clusterRepository } from '../../../prisma/repositories/clusters.ts';
import { communeRef } from '../../../prisma/repositories/commune-ref.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';
import { bulletinFacts } from '../../../prisma/repositories/emergencies.ts';
import type { JobProducer } from '../../../worker/jobs/producer.ts';
import { NotFoundError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { BoardFeed } from './board-feed.ts';
import {
  BoardOut,
  BoardQuery,
  BroadcastOut,
  BroadcastParams,
  ClusterParams,
  DayQuery,
  EmergencyIn,
  NowRequestOut,
} from './schemas.ts';
import { AIRERS, broadcastService, dayWindow } from './service.ts';

export interface BroadcastRouteDeps {
  db: DbClient;
  store: MediaStore;
  jobs: JobProducer;
  /** How often the board's event stream looks for changes (one poll per process). */
  boardPollMs?: number;
}

export function broadcastRoutes(deps: BroadcastRouteDeps): RouteDefinition[] {
  const { db, store } = deps;
  const service = broadcastService(deps);
  const feed = new BoardFeed(db, deps.boardPollMs ?? 1000);
  const communeOf = ({ params }: { params: { broadcastId: string } }) =>
    communeOfBroadcast(db, params.broadcastId);
  const board = async (actor: Actor | null, communeId?: string) => {
    const at = new Date();
    const window = dayWindow(undefined, at);
    const clusters = await liveBoard(db, actor, {
      now: at,
      day: window,
      ...(communeId ? { communeId } : {}),
    });
    return { at, day: window.day, clusters };
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/broadcasts',
      summary: 'The broadcasts of a day (Asia/Ho_Chi_Minh) within your scope, in airing order',
      tags: ['broadcasts'],
      access: { kind: 'scoped', roles: ROLES },
      request: { query: DayQuery },
      response: { description: 'Broadcasts', schema: BroadcastOut.array() },
      problems: [401, 403],
      handler: ({ query }, { actor }) => {
        const { from, to } = dayWindow(query.day);
        return broadcastsOfDay(db, actor, {
          from,
          to,
          ...(query.communeId ? { communeId: query.communeId } : {}),
          ...(query.clusterId ? { clusterId: query.clusterId } : {}),
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/broadcasts/:broadcastId',
      summary: 'One broadcast: its plan, status, skew, seconds aired and reason',
      tags: ['broadcasts'],
      access: { kind: 'commune', roles: ROLES, commune: communeOf },
      request: { params: BroadcastParams },
      response: { description: 'Broadcast', schema: BroadcastOut },
      problems: [401, 403, 404],
      handler: async ({ params }) => {
        const view = await broadcastView(db, params.broadcastId);
        if (!view) throw new NotFoundError('broadcast');
        return view;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/broadcasts/:broadcastId/recording',
      summary: 'What the recorder captured of a broadcast (supports Range, for players)',
      tags: ['broadcasts'],
      access: { kind: 'commune', roles: ROLES, commune: communeOf },
      request: { params: BroadcastParams },
      response: { description: 'Audio', contentType: 'audio/*' },
      problems: [401, 403, 404],
      handler: async ({ params }, { res }) => {
        const row = await recordingOf(db, params.broadcastId);
        if (!row || row.driverKind !== 'RECORDER') throw new NotFoundError('recording', 'no-recording');
        const profile = findProfile(row.profileId);
        const path = join(store.root, 'recordings', `${row.id}.${profile.extension}`);
        if (!existsSync(path)) throw new NotFoundError('recording', 'no-recording');
        await new Promise<void>((resolve, reject) =>
          res.sendFile(
            path,
            // Still growing while it airs: never cached.
            {
              headers: { 'Content-Type': profile.mimeType, 'Cache-Control': 'no-cache' },
              lastModified: false,
            },
            (err) => (err ? reject(err) : resolve()),
          ),
        );
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/board',
      summary: 'The live board: per cluster what airs now and next, its health and the day’s missed airings',
      tags: ['broadcasts'],
      access: { kind: 'scoped', roles: ROLES },
      request: { query: BoardQuery },
      response: { description: 'Board', schema: BoardOut },
      problems: [401, 403],
      handler: ({ query }, { actor }) => board(actor, query.communeId),
    }),
    defineRoute({
      method: 'get',
      path: '/api/board/events',
      summary:
        'The live board as Server-Sent Events: a `board` event (as GET /api/board) at once and on every change',
      tags: ['broadcasts'],
      access: { kind: 'scoped', roles: ROLES },
      request: { query: BoardQuery },
      response: { description: 'An event stream', contentType: 'text/event-stream' },
      problems: [401, 403],
      handler: ({ query }, { req, res, actor }) =>
        streamBoard(req, res, feed, () => board(actor, query.communeId)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/emergencies',
      summary:
        'Air an approved emergency bulletin now on the clusters or communes named (default: the bulletin’s commune), preempting what they air',
      tags: ['broadcasts'],
      access: {
        kind: 'commune',
        roles: AIRERS,
        commune: async ({ body }: { body: { bulletinId: string } }) => {
          const bulletin = await bulletinFacts(db, body.bulletinId);
          return bulletin ? communeRef(db, bulletin.communeId) : null;
        },
      },
      request: { body: EmergencyIn },
      response: {
        status: 202,
        description: 'One emergency broadcast per cluster, being aired',
        schema: NowRequestOut,
      },
      problems: [401, 403, 404, 409, 422],
      handler: ({ body }, { actor, origin }) => service.airEmergency(body, { actor: actor as Actor, origin }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/clusters/:clusterId/test-tone',
      summary: 'Air a 3 s 1 kHz test tone on the cluster now',
      tags: ['broadcasts'],
      access: {
        kind: 'commune',
        roles: AIRERS,
        commune: ({ params }: { params: { clusterId: string } }) =>
          clusterRepository.communeOf(db, params.clusterId),
      },
      request: { params: ClusterParams },
      response: { status: 202, description: 'The test broadcast, being aired', schema: NowRequestOut },
      problems: [401, 403, 404, 409],
      handler: ({ params }, { actor, origin }) =>
        service.airTestTone(params.clusterId, { actor: actor as Actor, origin }),
    }),
  ];
}

async function streamBoard(req: Request, res: Response, feed: BoardFeed, read: () => Promise<unknown>) {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  let closed = false;
  let reading = false;
  let again = false;
  // Changes during a read are read once more afterwards, never in parallel.
  const send = async () => {
    if (closed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const data = await read();
        if (!closed) res.write(`event: board\ndata: ${JSON.stringify(data)}\n\n`);
      } while (again && !closed);
    } catch {
      if (!closed) res.write(': board unavailable, retrying\n\n');
    } finally {
      reading = false;
    }
  };
  const unsubscribe = feed.subscribe(() => void send());
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
  });
  await send();
  return undefined;
}
