// The media a 4G receiver downloads ahead of its broadcast: opened by the signed, expiring URL of
// its play command (no session: a receiver has none), with Range so a download cut by a weak
// link resumes where it stopped. A wrong or expired signature reads as no such media.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { findProfile } from '../../../media/profiles.ts';
import type { MediaStore } from '../../../media/store.ts';
import { mediaGrantValid } from '../../../platform/receiver-secrets.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';
import { mediaOfBroadcast } from '../../../prisma/repositories/receivers.ts';
import { NotFoundError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';

const MediaParams = z.strictObject({
  broadcastId: z.uuid(),
  item: z.coerce.number().int().min(0).max(49),
});
const MediaQuery = z.strictObject({
  exp: z.coerce.number().int().positive(),
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

export function receiverRoutes(deps: { db: DbClient; store: MediaStore; secret: string }): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/receivers/media/:broadcastId/:item',
      summary: 'A rendition for a 4G receiver, opened by the signed expiring URL of its play command (Range)',
      tags: ['receivers'],
      access: { kind: 'public' },
      request: { params: MediaParams, query: MediaQuery },
      response: { description: 'Audio', contentType: 'audio/*' },
      problems: [404],
      handler: async ({ params, query }, { res }) => {
        const grant = { broadcastId: params.broadcastId, item: params.item, exp: query.exp };
        if (!mediaGrantValid(deps.secret, grant, query.sig, Date.now())) throw new NotFoundError('media');
        const media = await mediaOfBroadcast(deps.db, params.broadcastId, params.item);
        if (!media) throw new NotFoundError('media');
        const path = deps.store.resolveRelative(media.path);
        if (!existsSync(path)) throw new NotFoundError('media');
        await new Promise<void>((resolve, reject) =>
          res.sendFile(
            path,
            // Renditions are immutable: a resumed download may trust the validators.
            { headers: { 'Content-Type': findProfile(media.profileId).mimeType }, acceptRanges: true },
            (err) => (err ? reject(err) : resolve()),
          ),
        );
        return undefined;
      },
    }),
  ];
}
