// The operators' view of the job queues (bull-board) at /admin/queues, for global admins only.
// Read-only, and enforced here as well as by bull-board: Loa's jobs are re-derived from database
// rows (a lost or failed job is re-enqueued by the reconcile and sweep jobs, a transcode is
// retried from the bulletin's page), so retrying, promoting or cleaning by hand only adds ways to
// air something at the wrong time; and bull-board's page cannot send Loa's CSRF token, so a
// state change through a session cookie could not be told from a forged one.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { type Actor, hasGlobalRole } from '../../../domain/access.ts';
import { QUEUES } from '../../../worker/jobs/catalogue.ts';
import type { JobProducer } from '../../../worker/jobs/producer.ts';
import { ForbiddenError, UnauthenticatedError } from '../../http/access.ts';
import { AppError } from '../../http/errors.ts';

export const QUEUE_BOARD_PATH = '/admin/queues';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** bull-board's router over Loa's queues (made on first use: describing the API opens no queue). */
function boardRouter(jobs: JobProducer): RequestHandler {
  const serverAdapter = new ExpressAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: QUEUES.map((name) => new BullMQAdapter(jobs.queue(name), { readOnlyMode: true })),
    // @bull-board/express ships its own copy of @bull-board/api's types (9.10.1 beside 9.10.2):
    // the same interface, declared twice; it uses none of that package at run time.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'Loa — hàng đợi' } },
  });
  return serverAdapter.getRouter() as RequestHandler;
}

export function mountQueueBoard(
  app: Express,
  deps: { jobs: JobProducer; authenticate(req: Request): Promise<Actor | null> },
): void {
  const admitAdmin = async (req: Request, res: Response, next: NextFunction) => {
    const actor = await deps.authenticate(req);
    res.locals.actor = actor; // for the request's log line
    if (!actor) {
      // A signed-out browser goes to the sign-in page; a script gets the problem.
      if (req.method === 'GET' && req.accepts(['application/problem+json', 'html']) === 'html') {
        return res.redirect(303, '/');
      }
      throw new UnauthenticatedError();
    }
    if (!hasGlobalRole(actor, ['ADMIN'])) throw new ForbiddenError();
    if (!SAFE_METHODS.has(req.method)) {
      throw new AppError(403, 'forbidden', {
        vi: 'Bảng hàng đợi chỉ để xem; công việc được hệ thống tự chạy lại',
        en: 'The queue view is read-only; Loa re-runs its jobs itself',
      });
    }
    next();
  };
  let board: RequestHandler | undefined;
  app.use(QUEUE_BOARD_PATH, admitAdmin, (req, res, next) => {
    board ??= boardRouter(deps.jobs);
    board(req, res, next);
  });
}
