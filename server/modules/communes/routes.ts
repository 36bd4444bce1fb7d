// Communes (xã) and the languages a bulletin can be in.

import { z } from 'zod';
import { ROLES } from '../../../domain/access.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { communeRef } from '../../../prisma/repositories/commune-ref.ts';
import { communeRepository } from '../../../prisma/repositories/communes.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import { languageRepository, unknownLanguages } from '../../../prisma/repositories/languages.ts';
import { ValidationError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Name, Province, Uuid } from '../../http/schemas.ts';

const CommuneOut = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    province: z.string(),
    timeZone: z.string(),
    languages: z.array(z.string()),
    requiredLanguages: z.array(z.string()).meta({
      description: 'Languages every bulletin of the commune must have a track in before it is processed',
    }),
  })
  .meta({ id: 'Commune' });
const LanguageOut = z
  .object({ code: z.string(), nameVi: z.string(), nameEn: z.string() })
  .meta({ id: 'Language' });

const TimeZone = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Asia/Ho_Chi_Minh');
const LanguageCodes = z
  .array(z.string().regex(/^[a-z]{3}$/, 'ISO 639-3 codes, e.g. vie, hmn'))
  .min(1)
  .max(12);
const communeFields = {
  code: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z-]{1,16}$/, 'the official commune code (digits)'),
  name: Name(120),
  province: Province,
  timeZone: TimeZone,
  languages: LanguageCodes,
  /** A subset of `languages`; by default Vietnamese, when the commune speaks it. */
  requiredLanguages: z.array(z.string().regex(/^[a-z]{3}$/, 'ISO 639-3 codes, e.g. vie, hmn')).max(12),
};
const CommuneIn = z.strictObject({
  ...communeFields,
  timeZone: TimeZone.default('Asia/Ho_Chi_Minh'),
  languages: LanguageCodes.default(['vie']),
  requiredLanguages: communeFields.requiredLanguages.optional(),
});
const CommuneUpdate = z.strictObject(communeFields).partial();
const CommuneParams = z.strictObject({ communeId: Uuid });

export function communeRoutes(db: DbClient): RouteDefinition[] {
  const locate = async ({ params }: { params: { communeId: string } }) => communeRef(db, params.communeId);

  async function checkLanguages(codes: string[] | undefined) {
    if (!codes) return;
    const unknown = await unknownLanguages(db, codes);
    if (unknown.length > 0) {
      throw new ValidationError([
        { field: 'body.languages', message: `unknown language code(s): ${unknown.join(', ')}` },
      ]);
    }
  }

  /** The required languages must be spoken in the commune. */
  function checkRequired(languages: string[], required: string[]) {
    const foreign = required.filter((code) => !languages.includes(code));
    if (foreign.length > 0) {
      throw new ValidationError(
        [
          {
            field: 'body.requiredLanguages',
            message: `not among the commune's languages: ${foreign.join(', ')}`,
          },
        ],
        'required-not-spoken',
      );
    }
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/languages',
      summary: 'Languages a bulletin track can be in (ISO 639-3)',
      tags: ['communes'],
      access: { kind: 'signed-in' },
      response: { description: 'Languages', schema: z.array(LanguageOut) },
      problems: [401],
      handler: () => languageRepository.list(db),
    }),
    defineRoute({
      method: 'get',
      path: '/api/communes',
      summary: 'Communes within your scope',
      tags: ['communes'],
      access: { kind: 'scoped', roles: ROLES },
      response: { description: 'Communes', schema: z.array(CommuneOut) },
      problems: [401, 403],
      handler: (_input, { actor }) => communeRepository.listReachedBy(db, actor),
    }),
    defineRoute({
      method: 'get',
      path: '/api/communes/:communeId',
      summary: 'One commune',
      tags: ['communes'],
      access: { kind: 'commune', roles: ROLES, commune: locate },
      request: { params: CommuneParams },
      response: { description: 'Commune', schema: CommuneOut },
      problems: [401, 403, 404],
      handler: ({ params }) => communeRepository.get(db, params.communeId),
    }),
    defineRoute({
      method: 'post',
      path: '/api/communes',
      summary: 'Add a commune',
      tags: ['communes'],
      access: { kind: 'global', roles: ['ADMIN'] },
      request: { body: CommuneIn },
      response: { status: 201, description: 'Created', schema: CommuneOut },
      problems: [401, 403, 409],
      handler: async ({ body }, { actor, origin }) => {
        await checkLanguages(body.languages);
        const requiredLanguages = body.requiredLanguages ?? (body.languages.includes('vie') ? ['vie'] : []);
        checkRequired(body.languages, requiredLanguages);
        return inTransaction(db, async (tx) => {
          const commune = await communeRepository.create(tx, { ...body, requiredLanguages });
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'commune.create',
              entityType: 'commune',
              entityId: commune.id,
              communeId: commune.id,
              after: commune,
            },
          );
          return commune;
        });
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/communes/:communeId',
      summary: 'Change a commune',
      tags: ['communes'],
      access: { kind: 'commune', roles: ['ADMIN'], commune: locate },
      request: { params: CommuneParams, body: CommuneUpdate },
      response: { description: 'Updated', schema: CommuneOut },
      problems: [401, 403, 404, 409],
      handler: async ({ params, body }, { actor, origin }) => {
        await checkLanguages(body.languages);
        return inTransaction(db, async (tx) => {
          const before = await communeRepository.get(tx, params.communeId);
          const languages = body.languages ?? before.languages;
          // A language the commune no longer speaks is no longer required, unless said otherwise.
          const requiredLanguages =
            body.requiredLanguages ?? before.requiredLanguages.filter((code) => languages.includes(code));
          checkRequired(languages, requiredLanguages);
          const after = await communeRepository.update(tx, params.communeId, { ...body, requiredLanguages });
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'commune.update',
              entityType: 'commune',
              entityId: after.id,
              communeId: after.id,
              before,
              after,
            },
          );
          return after;
        });
      },
    }),
  ];
}
