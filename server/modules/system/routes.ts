import { z } from 'zod';
import { UnavailableError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { checkReadiness, type ReadinessCheck } from './readiness.ts';

const PartStatus = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });
const ReadinessResponse = z
  .object({ status: z.literal('ready'), parts: z.record(z.string(), PartStatus) })
  .meta({ id: 'Readiness' });

export function systemRoutes(deps: {
  checks: Record<string, ReadinessCheck>;
  version: string;
}): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      tags: ['system'],
      access: { kind: 'public' },
      response: { description: 'Up', schema: z.object({ status: z.literal('ok'), version: z.string() }) },
      handler: () => ({ status: 'ok' as const, version: deps.version }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Database, Redis and ffmpeg all answer',
      tags: ['system'],
      access: { kind: 'public' },
      response: { description: 'Ready', schema: ReadinessResponse },
      problems: [503],
      handler: async () => {
        const readiness = await checkReadiness(deps.checks);
        if (!readiness.ready) {
          const failing = Object.entries(readiness.parts)
            .filter(([, s]) => !s.ok)
            .map(([name, s]) => `${name}: ${s.error}`);
          throw new UnavailableError('not-ready', `Not ready: ${failing.join('; ')}`, {
            parts: readiness.parts,
          });
        }
        return { status: 'ready' as const, parts: readiness.parts };
      },
    }),
  ];
}
