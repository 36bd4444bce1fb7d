import { z } from 'zod';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import type { OperationsMetrics } from './metrics.ts';

/** Who may scrape: metrics describe every commune at once, so only a role held everywhere. */
export const METRICS_ROLES = ['ADMIN', 'AUDITOR'] as const;

export function operationsRoutes(metrics: OperationsMetrics): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary:
        'Operations metrics in Prometheus text format (queues, transcodes, start skew, broadcasts, clusters); scrape with a Bearer API token of a global auditor',
      tags: ['system'],
      access: { kind: 'global', roles: METRICS_ROLES },
      response: {
        description: 'Prometheus text exposition format 0.0.4',
        schema: z.string(),
        contentType: 'text/plain',
      },
      problems: [401, 403],
      handler: async (_input, { res }) => {
        const text = await metrics.render();
        res.status(200).type(metrics.contentType).send(text);
        return undefined;
      },
    }),
  ];
}
