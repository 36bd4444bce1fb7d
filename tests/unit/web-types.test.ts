// web/src/api-types.ts is generated from the API's own OpenAPI document; like the schema-drift
// test for migrations, this fails when a route's schema changed and the file was not regenerated.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderWebTypes, WEB_TYPES_FILE } from '../../scripts/web-types.ts';

describe('web/src/api-types.ts', () => {
  it('matches the OpenAPI document the routes declare (run `npm run web:types` if not)', async () => {
    const committed = readFileSync(WEB_TYPES_FILE, 'utf8');
    const current = await renderWebTypes();
    expect(committed, 'web/src/api-types.ts is stale: run `npm run web:types`').toBe(current);
  });
});
