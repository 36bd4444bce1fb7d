import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';
import type { RouteDefinition } from './route.ts';

const Problem = z
  .object({
    type: z.string(),
    title: z.string().meta({ description: 'In the language asked for by Accept-Language (vi by default)' }),
    status: z.number().int(),
    code: z.string().meta({ description: 'Stable machine-readable problem code' }),
    detail: z.string(),
    instance: z.string(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string(), en: z.string().optional() }))
      .optional(),
  })
  .meta({ id: 'Problem' });

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (each bad field is named)',
  401: 'Not signed in',
  403: 'Not allowed for your role',
  404: 'Not found (or outside your scope)',
  409: 'Conflict',
  413: 'Too large',
  429: 'Too many requests',
  503: 'Unavailable',
};

function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: RouteDefinition[], info: { version: string }) {
  const registry = new OpenAPIRegistry();
  for (const route of routes) {
    const statuses = new Set([...(route.request ? [400] : []), ...(route.problems ?? [])]);
    const problems = Object.fromEntries(
      [...statuses].map((s) => [
        String(s),
        {
          description: PROBLEM_DESCRIPTIONS[s] ?? 'Problem',
          content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } },
        },
      ]),
    );
    const { params, query, body } = route.request ?? {};
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      summary: route.summary,
      tags: route.tags,
      request: {
        ...(params ? { params: params as z.ZodObject } : {}),
        ...(query ? { query: query as z.ZodObject } : {}),
        ...(body ? { body: { content: { 'application/json': { schema: body } } } } : {}),
        ...(route.upload
          ? {
              body: {
                description: route.upload.description,
                content: {
                  'multipart/form-data': {
                    schema: z.object({ [route.upload.field]: z.string().meta({ format: 'binary' }) }),
                  },
                },
              },
            }
          : {}),
      },
      responses: {
        [String(route.response.status ?? 200)]: {
          description: route.response.description,
          ...(route.response.schema
            ? {
                content: {
                  [route.response.contentType ?? 'application/json']: { schema: route.response.schema },
                },
              }
            : {}),
        },
        ...problems,
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Loa API',
      version: info.version,
      description: 'Schedules bilingual bulletins on the loudspeaker clusters of border communes.',
    },
  });
}
