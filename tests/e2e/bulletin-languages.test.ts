// A commune says which languages every bulletin must have; a bulletin says which of the commune's
// languages will air and which will not, and processing is refused while a required one is missing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSpeechLike } from '../../media/fixtures.ts';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

let w: TestWorld;
let admin: SignedIn;
let officer: SignedIn;
let dir: string;
let speech: string;

beforeAll(async () => {
  w = await createTestWorld();
  admin = await signIn(w.app, 'admin');
  officer = await signIn(w.app, 'officer');
  dir = await mkdtemp(join(tmpdir(), 'loa-langs-'));
  speech = join(dir, 'speech.mp3');
  await generateSpeechLike(speech, { durationSec: 2, container: 'mp3' });
});
afterAll(async () => {
  await w?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('required languages of a commune', () => {
  it('are Vietnamese by default, editable by an admin, and only among the commune languages', async () => {
    const commune = await admin.send('get', `/api/communes/${w.communeA.id}`).expect(200);
    expect(commune.body).toMatchObject({ languages: ['vie', 'hmn', 'hni'], requiredLanguages: ['vie'] });

    const bad = await admin
      .send('patch', `/api/communes/${w.communeA.id}`, { requiredLanguages: ['vie', 'lao'] })
      .expect(400);
    expect(bad.body.code).toBe('required-not-spoken');
    expect(bad.body.errors).toEqual([
      { field: 'body.requiredLanguages', message: "not among the commune's languages: lao" },
    ]);
    await officer
      .send('patch', `/api/communes/${w.communeA.id}`, { requiredLanguages: ['vie', 'hmn'] })
      .expect(403);

    const changed = await admin
      .send('patch', `/api/communes/${w.communeA.id}`, { requiredLanguages: ['vie', 'hmn'] })
      .expect(200);
    expect(changed.body.requiredLanguages).toEqual(['vie', 'hmn']);

    const created = await admin
      .send('post', '/api/communes', {
        code: '99077',
        name: 'Xã Mù Cả',
        province: 'Lai Châu',
        languages: ['hmn', 'hni'],
      })
      .expect(201);
    expect(created.body.requiredLanguages).toEqual([]);
  });

  it('a bulletin shows which languages air and which do not; processing is refused without a required one', async () => {
    const bulletin = await officer
      .send('post', '/api/bulletins', { communeId: w.communeA.id, title: 'Tiêm phòng cho gia súc' })
      .expect(201);
    const id = bulletin.body.id as string;
    await officer.agent
      .put(`/api/bulletins/${id}/tracks/vie`)
      .set('x-csrf-token', officer.csrf)
      .attach('file', speech)
      .expect(200);

    const shown = await officer.send('get', `/api/bulletins/${id}`).expect(200);
    expect(shown.body.languagePlan).toEqual([
      { language: 'vie', nameVi: 'Tiếng Việt (phổ thông)', nameEn: 'Vietnamese', required: true, airs: true },
      { language: 'hmn', nameVi: 'Tiếng Mông', nameEn: 'Hmong', required: true, airs: false },
      { language: 'hni', nameVi: 'Tiếng Hà Nhì', nameEn: 'Hani', required: false, airs: false },
    ]);
    expect(shown.body.missingLanguages).toEqual(['hmn']);

    const refused = await officer
      .send('post', `/api/bulletins/${id}/transcode`)
      .set('Accept-Language', 'en')
      .expect(409);
    expect(refused.body).toMatchObject({
      code: 'required-language-missing',
      title: 'A language the commune requires has no track',
      detail: 'Every bulletin of this commune needs a track in: Tiếng Mông / Hmong (hmn)',
      missingLanguages: ['hmn'],
    });
    const vi = await officer.send('post', `/api/bulletins/${id}/transcode`).expect(409);
    expect(vi.body.title).toBe('Bản tin còn thiếu tiếng bắt buộc của xã');
    const after = await w.db.prisma.bulletin.findUniqueOrThrow({ where: { id } });
    expect(after.status).toBe('UPLOADED');

    await officer.agent
      .put(`/api/bulletins/${id}/tracks/hmn`)
      .set('x-csrf-token', officer.csrf)
      .attach('file', speech)
      .expect(200);
    const ready = await officer.send('post', `/api/bulletins/${id}/transcode`).expect(202);
    expect(ready.body.missingLanguages).toEqual([]);
    expect(
      ready.body.languagePlan.map((l: { language: string; airs: boolean }) => [l.language, l.airs]),
    ).toEqual([
      ['vie', true],
      ['hmn', true],
      ['hni', false],
    ]);
  });
});
