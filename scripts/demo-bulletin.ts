// A first-run demo bulletin, made through the API the way the demo officer would make it, so a new
// installation opens on a bulletin that went through the real upload, text-to-speech and
// transcoding path (and is waiting for someone else's approval).
// A stop may cut it anywhere (the bulletin made but a track missing, or the transcode never
// asked for): the next start finishes that bulletin instead of taking it for the officer's own.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { generateSpeechLike } from '../media/fixtures.ts';
import type { Logger } from '../platform/logger.ts';

export const DEMO_BULLETIN = {
  title: 'Thông báo phiên chợ Chủ nhật (bản tin mẫu)',
  programme: 'Thông tin chợ phiên',
  /** Read by espeak-ng when it is installed. */
  vietnamese:
    'Ủy ban nhân dân xã Dào San thông báo: phiên chợ Chủ nhật tuần này họp từ sáu giờ sáng. ' +
    'Bà con mang theo giấy tờ khi bán trâu bò, giữ gìn vệ sinh chung và trật tự an toàn giao thông.',
};

const Session = z.object({ csrfToken: z.string() });
const Communes = z.array(z.object({ id: z.string(), code: z.string() }));
const Bulletins = z.array(
  z.object({
    id: z.string(),
    title: z.string(),
    status: z.string(),
    languages: z.array(z.string()),
  }),
);
const Engines = z.array(
  z.object({ id: z.string(), languages: z.array(z.string()), unavailableReason: z.string().nullable() }),
);

/**
 * Makes the demo bulletin unless the commune already has a bulletin, or finishes the demo
 * bulletin a stop interrupted (missing tracks, transcode not asked for, or failed because the
 * stop killed its ffmpeg). Returns its id when it made or finished one, undefined otherwise.
 */
export async function createDemoBulletin(
  baseUrl: string,
  officer: { username: string; password: string },
  communeCode: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const api = await signIn(baseUrl, officer, signal);
  const commune = Communes.parse(await api.json('GET', '/api/communes')).find((c) => c.code === communeCode);
  if (!commune) return undefined;
  const existing = Bulletins.parse(await api.json('GET', `/api/bulletins?communeId=${commune.id}`));
  const unfinished = unfinishedDemo(existing);
  if (existing.length > 0 && !unfinished) return undefined;
  const id =
    unfinished?.id ??
    z.object({ id: z.string() }).parse(
      await api.json('POST', '/api/bulletins', {
        communeId: commune.id,
        title: DEMO_BULLETIN.title,
        programme: DEMO_BULLETIN.programme,
      }),
    ).id;
  const has = new Set(unfinished?.languages);
  const dir = await mkdtemp(join(tmpdir(), 'loa-demo-'));
  try {
    if (!has.has('vie')) {
      const engines = Engines.parse(await api.json('GET', '/api/tts/engines'));
      const speaks = engines.find((e) => e.languages.includes('vie') && e.unavailableReason === null);
      if (speaks) {
        await api.json('POST', `/api/bulletins/${id}/tracks/vie/tts`, {
          text: DEMO_BULLETIN.vietnamese,
          engine: speaks.id,
        });
      } else {
        await api.upload(`/api/bulletins/${id}/tracks/vie`, await speechLike(dir, 'tiếng Việt.wav', 170));
      }
    }
    // No Hmong voice exists for espeak-ng: a speech-like recording stands in for the officer's own.
    if (!has.has('hmn'))
      await api.upload(`/api/bulletins/${id}/tracks/hmn`, await speechLike(dir, 'tiếng Mông.wav', 220));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Also for a bulletin already PROCESSING: the job is enqueued idempotently (same job id), in
  // case the stop came between the status change and the enqueue.
  await api.json('POST', `/api/bulletins/${id}/transcode`);
  return id;
}

/** The commune's only bulletin, when it is the demo one and a stop left it unfinished. */
function unfinishedDemo(bulletins: z.infer<typeof Bulletins>) {
  const [only] = bulletins;
  if (bulletins.length !== 1 || !only || only.title !== DEMO_BULLETIN.title) return undefined;
  return ['DRAFT', 'UPLOADED', 'PROCESSING', 'FAILED'].includes(only.status) ? only : undefined;
}

async function speechLike(
  dir: string,
  name: string,
  pitchHz: number,
): Promise<{ name: string; path: string }> {
  const path = join(dir, name);
  await generateSpeechLike(path, { durationSec: 8, pitchHz, phrasePauses: true });
  return { name, path };
}

async function signIn(baseUrl: string, who: { username: string; password: string }, signal?: AbortSignal) {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    signal,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': 'en' },
    body: JSON.stringify(who),
  });
  if (!login.ok) throw new Error(`demo sign-in as ${who.username}: HTTP ${login.status}`);
  const { csrfToken } = Session.parse(await login.json());
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const headers = { cookie, 'x-csrf-token': csrfToken, 'accept-language': 'en' };
  const call = async (method: string, path: string, body?: BodyInit, type?: string) => {
    const response = await fetch(`${baseUrl}${path}`, {
      signal,
      method,
      headers: { ...headers, ...(type ? { 'content-type': type } : {}) },
      body,
    });
    if (!response.ok)
      throw new Error(`demo ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as unknown);
  };
  return {
    json: (method: string, path: string, body?: unknown) =>
      call(
        method,
        path,
        body === undefined ? undefined : JSON.stringify(body),
        body === undefined ? undefined : 'application/json',
      ),
    upload: async (path: string, file: { name: string; path: string }) => {
      const form = new FormData();
      form.set('file', new Blob([await readFile(file.path)]), file.name);
      return call('PUT', path, form);
    },
  };
}

/** Logs instead of failing: a demo that could not be made must not stop Loa from starting. */
export async function tryCreateDemoBulletin(
  baseUrl: string,
  officer: { username: string; password: string } | undefined,
  communeCode: string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<void> {
  if (!officer) return;
  try {
    const id = await createDemoBulletin(baseUrl, officer, communeCode, signal);
    if (id)
      logger.info({ module: 'demo', bulletinId: id }, 'demo bulletin created and queued for processing');
  } catch (err) {
    if (signal?.aborted)
      logger.info({ module: 'demo' }, 'demo bulletin interrupted by the stop; the next start finishes it');
    else logger.warn({ module: 'demo', err }, 'demo bulletin not created');
  }
}
