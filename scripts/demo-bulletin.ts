// A first-run demo bulletin, made through the API the way the demo officer would make it, so a new
// installation opens on a bulletin that went through the real upload, text-to-speech and
// transcoding path (and is waiting for someone else's approval).
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
const Bulletins = z.array(z.object({ id: z.string() }));
const Engines = z.array(
  z.object({ id: z.string(), languages: z.array(z.string()), unavailableReason: z.string().nullable() }),
);

/** Makes the demo bulletin unless the commune already has one; returns its id, or undefined. */
export async function createDemoBulletin(
  baseUrl: string,
  officer: { username: string; password: string },
  communeCode: string,
): Promise<string | undefined> {
  const api = await signIn(baseUrl, officer);
  const commune = Communes.parse(await api.json('GET', '/api/communes')).find((c) => c.code === communeCode);
  if (!commune) return undefined;
  const existing = Bulletins.parse(await api.json('GET', `/api/bulletins?communeId=${commune.id}`));
  if (existing.length > 0) return undefined;
  const { id } = z.object({ id: z.string() }).parse(
    await api.json('POST', '/api/bulletins', {
      communeId: commune.id,
      title: DEMO_BULLETIN.title,
      programme: DEMO_BULLETIN.programme,
    }),
  );
  const dir = await mkdtemp(join(tmpdir(), 'loa-demo-'));
  try {
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
    // No Hmong voice exists for espeak-ng: a speech-like recording stands in for the officer's own.
    await api.upload(`/api/bulletins/${id}/tracks/hmn`, await speechLike(dir, 'tiếng Mông.wav', 220));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await api.json('POST', `/api/bulletins/${id}/transcode`);
  return id;
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

async function signIn(baseUrl: string, who: { username: string; password: string }) {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
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
): Promise<void> {
  if (!officer) return;
  try {
    const id = await createDemoBulletin(baseUrl, officer, communeCode);
    if (id)
      logger.info({ module: 'demo', bulletinId: id }, 'demo bulletin created and queued for processing');
  } catch (err) {
    logger.warn({ module: 'demo', err }, 'demo bulletin not created');
  }
}
