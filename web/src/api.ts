// The one way the web app talks to the API: JSON in and out, the session cookie, the CSRF
// token on every state change, and problem+json turned into an ApiError forms can read.
import i18next from 'i18next';
import type {
  ApiToken,
  AuditEvent,
  Bulletin,
  BulletinIn,
  BulletinStatus,
  BulletinSummary,
  BulletinUpdate,
  Cluster,
  ClusterIn,
  ClusterUpdate,
  Commune,
  CommuneIn,
  CreatedApiToken,
  FieldIssue,
  Language,
  MarketCalendar,
  MarketCalendarIn,
  MarketCalendarUpdate,
  MarketDays,
  Priority,
  Problem,
  RoleAssignmentIn,
  SavedSlot,
  Session,
  Slot,
  SlotIn,
  SlotUpdate,
  TtsEngine,
  User,
} from './types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldIssue[];
  /** From the Retry-After header or the problem body (429). */
  readonly retryAfterSeconds: number | undefined;
  /** The whole problem body, for codes that carry more (409 slot-conflict: `conflicts`). */
  readonly body: Record<string, unknown>;

  constructor(problem: Problem, retryAfterSeconds?: number) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail ?? '';
    this.errors = problem.errors ?? [];
    this.retryAfterSeconds = retryAfterSeconds ?? problem.retryAfterSeconds;
    this.body = problem as unknown as Record<string, unknown>;
  }

  /** Field issues keyed by the request field, without the "body." prefix: { "driverConfig.port": "…" }. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.errors) {
      const key = issue.field.replace(/^(body|query|params)\./, '');
      out[key] ??= issue.message;
    }
    return out;
  }
}

let csrfToken = '';
let onUnauthorized: (() => void) | undefined;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when a call answers 401 (the session expired or was ended elsewhere). */
export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function toError(response: Response): Promise<ApiError> {
  const retryHeader = Number(response.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader : undefined;
  let problem: Problem = {
    status: response.status,
    code: `http-${response.status}`,
    title: response.statusText,
  };
  try {
    const body = (await response.json()) as Partial<Problem>;
    if (body && typeof body.code === 'string') problem = { ...problem, ...body, status: response.status };
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  return new ApiError(problem, retryAfter);
}

export async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: { quietUnauthorized?: boolean; retried?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    'accept-language': i18next.language === 'en' ? 'en' : 'vi',
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network', title: 'Network error' });
  }
  if (!response.ok) {
    const error = await toError(response);
    if (error.code === 'csrf-invalid' && csrfToken && !options.retried) {
      // Another tab of this session asked for the session and so rotated the token: take the
      // current one and try once more.
      const session = await request<Session>('GET', '/api/auth/session', undefined, {
        quietUnauthorized: true,
      });
      csrfToken = session.csrfToken;
      return request<T>(method, path, body, { ...options, retried: true });
    }
    if (error.status === 401 && !options.quietUnauthorized) onUnauthorized?.();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export interface UploadHandle {
  /** Settles with the bulletin as the server has it after the upload. */
  done: Promise<Bulletin>;
  abort(): void;
}

/** Problem+json from an XMLHttpRequest answer (the upload path cannot use fetch: no upload progress). */
function xhrError(xhr: XMLHttpRequest): ApiError {
  let problem: Problem = { status: xhr.status, code: `http-${xhr.status}`, title: xhr.statusText };
  try {
    const body = JSON.parse(xhr.responseText) as Partial<Problem>;
    if (body && typeof body.code === 'string') problem = { ...problem, ...body, status: xhr.status };
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(problem);
}

/**
 * Sends one audio file as the track of a language (multipart/form-data, field "file") and
 * reports the share sent so far, 0..1. XMLHttpRequest because fetch has no upload progress.
 */
export function uploadTrack(
  bulletinId: string,
  language: string,
  file: Blob,
  fileName: string,
  source: 'upload' | 'recording',
  onProgress: (sent: number) => void,
): UploadHandle {
  let current: XMLHttpRequest | null = null;
  let aborted = false;
  const url = `/api/bulletins/${encodeURIComponent(bulletinId)}/tracks/${encodeURIComponent(language)}?source=${source}`;
  const send = (retried: boolean): Promise<Bulletin> =>
    new Promise<Bulletin>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      current = xhr;
      xhr.open('PUT', url);
      xhr.withCredentials = true;
      xhr.setRequestHeader('accept', 'application/json, application/problem+json');
      xhr.setRequestHeader('accept-language', i18next.language === 'en' ? 'en' : 'vi');
      if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
      };
      xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network', title: 'Network error' }));
      xhr.onabort = () => reject(new ApiError({ status: 0, code: 'upload-aborted', title: 'Aborted' }));
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          onProgress(1);
          try {
            resolve(JSON.parse(xhr.responseText) as Bulletin);
          } catch {
            reject(new ApiError({ status: xhr.status, code: 'unexpected', title: 'Bad answer' }));
          }
          return;
        }
        const error = xhrError(xhr);
        if (error.code === 'csrf-invalid' && csrfToken && !retried && !aborted) {
          api.session().then((session) => {
            csrfToken = session.csrfToken;
            onProgress(0);
            send(true).then(resolve, reject);
          }, reject);
          return;
        }
        if (error.status === 401) onUnauthorized?.();
        reject(error);
      };
      const form = new FormData();
      form.append('file', file, fileName);
      xhr.send(form);
    });
  return {
    done: send(false),
    abort: () => {
      aborted = true;
      current?.abort();
    },
  };
}

const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

export const api = {
  session: () => request<Session>('GET', '/api/auth/session', undefined, { quietUnauthorized: true }),
  login: (username: string, password: string) =>
    request<Session>('POST', '/api/auth/login', { username, password }, { quietUnauthorized: true }),
  logout: () => request<void>('POST', '/api/auth/logout', undefined, { quietUnauthorized: true }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>(
      'POST',
      '/api/auth/password',
      { currentPassword, newPassword },
      { quietUnauthorized: true },
    ),

  users: () => request<User[]>('GET', '/api/users'),
  createUser: (body: {
    username: string;
    displayName: string;
    password: string;
    locale?: 'vi' | 'en';
    roles: RoleAssignmentIn[];
  }) => request<User>('POST', '/api/users', body),
  updateUser: (
    userId: string,
    body: { displayName?: string; password?: string; disabled?: boolean; roles?: RoleAssignmentIn[] },
  ) => request<User>('PATCH', `/api/users/${encodeURIComponent(userId)}`, body),

  tokens: () => request<ApiToken[]>('GET', '/api/tokens'),
  createToken: (name: string, userId: string) =>
    request<CreatedApiToken>('POST', '/api/tokens', { name, userId }),
  revokeToken: (tokenId: string) => request<void>('DELETE', `/api/tokens/${encodeURIComponent(tokenId)}`),

  languages: () => request<Language[]>('GET', '/api/languages'),
  communes: () => request<Commune[]>('GET', '/api/communes'),
  createCommune: (body: CommuneIn) => request<Commune>('POST', '/api/communes', body),
  updateCommune: (id: string, body: Partial<CommuneIn>) =>
    request<Commune>('PATCH', `/api/communes/${encodeURIComponent(id)}`, body),

  clusters: (communeId?: string) => request<Cluster[]>('GET', `/api/clusters${query({ communeId })}`),
  createCluster: (body: ClusterIn) => request<Cluster>('POST', '/api/clusters', body),
  updateCluster: (id: string, body: ClusterUpdate) =>
    request<Cluster>('PATCH', `/api/clusters/${encodeURIComponent(id)}`, body),

  bulletins: (params: { communeId?: string; status?: BulletinStatus; priority?: Priority }) =>
    request<BulletinSummary[]>('GET', `/api/bulletins${query(params)}`),
  bulletin: (id: string) => request<Bulletin>('GET', `/api/bulletins/${encodeURIComponent(id)}`),
  createBulletin: (body: BulletinIn) => request<Bulletin>('POST', '/api/bulletins', body),
  updateBulletin: (id: string, body: BulletinUpdate) =>
    request<Bulletin>('PATCH', `/api/bulletins/${encodeURIComponent(id)}`, body),
  removeTrack: (id: string, language: string) =>
    request<Bulletin>(
      'DELETE',
      `/api/bulletins/${encodeURIComponent(id)}/tracks/${encodeURIComponent(language)}`,
    ),
  speakTrack: (id: string, language: string, text: string, engine?: string) =>
    request<Bulletin>(
      'POST',
      `/api/bulletins/${encodeURIComponent(id)}/tracks/${encodeURIComponent(language)}/tts`,
      { text, ...(engine ? { engine } : {}) },
    ),
  transcode: (id: string) => request<Bulletin>('POST', `/api/bulletins/${encodeURIComponent(id)}/transcode`),
  approve: (id: string) => request<Bulletin>('POST', `/api/bulletins/${encodeURIComponent(id)}/approve`),
  ttsEngines: () => request<TtsEngine[]>('GET', '/api/tts/engines'),

  marketCalendars: (communeId?: string) =>
    request<MarketCalendar[]>('GET', `/api/market-calendars${query({ communeId })}`),
  createMarketCalendar: (body: MarketCalendarIn) =>
    request<MarketCalendar>('POST', '/api/market-calendars', body),
  updateMarketCalendar: (id: string, body: MarketCalendarUpdate) =>
    request<MarketCalendar>('PATCH', `/api/market-calendars/${encodeURIComponent(id)}`, body),
  deleteMarketCalendar: (id: string) =>
    request<void>('DELETE', `/api/market-calendars/${encodeURIComponent(id)}`),
  marketDays: (calendarId: string, from: string, to: string) =>
    request<MarketDays>(
      'GET',
      `/api/market-calendars/${encodeURIComponent(calendarId)}/occurrences${query({ from, to })}`,
    ),
  /** The keyed URL a phone calendar app subscribes to (no header needed). */
  marketFeedSubscription: (communeId: string) =>
    request<{ path: string }>(
      'GET',
      `/api/communes/${encodeURIComponent(communeId)}/market-days/subscription`,
    ),
  rotateMarketFeedSubscription: (communeId: string) =>
    request<{ path: string }>(
      'POST',
      `/api/communes/${encodeURIComponent(communeId)}/market-days/subscription/rotate`,
    ),

  slots: (params: { calendarId?: string; communeId?: string }) =>
    request<Slot[]>('GET', `/api/slots${query(params)}`),
  createSlot: (body: SlotIn) => request<SavedSlot>('POST', '/api/slots', body),
  updateSlot: (id: string, body: SlotUpdate) =>
    request<SavedSlot>('PATCH', `/api/slots/${encodeURIComponent(id)}`, body),
  deleteSlot: (id: string) => request<void>('DELETE', `/api/slots/${encodeURIComponent(id)}`),

  audit: (params: { communeId?: string; entityType?: string; before?: string; limit?: number }) =>
    request<AuditEvent[]>('GET', `/api/audit${query(params)}`),
};
