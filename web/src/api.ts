// The one way the web app talks to the API: openapi-fetch over the generated `paths` (so every
// path, parameter, body and answer is the server's own), plus the session cookie, the CSRF token
// on every state change, and problem+json turned into an ApiError forms can read.
import i18next from 'i18next';
import createClient from 'openapi-fetch';
import type {
  AuditQuery,
  BroadcastQuery,
  Bulletin,
  BulletinIn,
  BulletinQuery,
  BulletinUpdate,
  ClusterIn,
  ClusterUpdate,
  CommuneIn,
  CommuneUpdate,
  EmergencyIn,
  FieldIssue,
  LogVerificationQuery,
  MarketCalendarIn,
  MarketCalendarUpdate,
  NewUser,
  Problem,
  SlotIn,
  SlotQuery,
  SlotUpdate,
  UserUpdate,
} from './api-shapes.ts';
import type { paths } from './api-types.ts';
import { fieldMessageKey } from './field-messages.ts';

/** A problem as far as the web can know it: the API's, or one made up from a status line. */
type ProblemLike = Pick<Problem, 'code' | 'title'> &
  Partial<Problem> & { status: number; retryAfterSeconds?: number };

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

  constructor(problem: ProblemLike, retryAfterSeconds?: number) {
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
      // The English wording where the UI has its own words for it (see field-messages.ts).
      out[key] ??= issue.en && fieldMessageKey(issue.en) ? issue.en : issue.message;
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

const quietUnauthorized = (url: string) =>
  new URL(url, window.location.href).pathname.startsWith('/api/auth/');

function withSessionHeaders(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.set('accept', 'application/json, application/problem+json');
  headers.set('accept-language', i18next.language === 'en' ? 'en' : 'vi');
  if (request.method !== 'GET' && csrfToken) headers.set('x-csrf-token', csrfToken);
  return new Request(request, { headers, credentials: 'same-origin' });
}

async function problemCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as Partial<Problem>;
    return typeof body?.code === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * fetch with the session's headers. When another tab of this session asked for the session (and
 * so rotated the CSRF token), takes the current token and tries once more; a 401 elsewhere than
 * /api/auth/ means the session expired or was ended elsewhere.
 */
async function sessionFetch(request: Request): Promise<Response> {
  const spare = request.clone();
  const send = (r: Request) =>
    fetch(withSessionHeaders(r)).catch(() => {
      throw new ApiError({ status: 0, code: 'network', title: 'Network error' });
    });
  let response = await send(request);
  if (!response.ok && csrfToken && (await problemCode(response)) === 'csrf-invalid') {
    csrfToken = (await api.session()).csrfToken;
    response = await send(spare);
  }
  if (response.status === 401 && !quietUnauthorized(request.url)) onUnauthorized?.();
  return response;
}

const query = (params: Record<string, unknown>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  return search.toString();
};

const client = createClient<paths>({ fetch: sessionFetch, querySerializer: query });

/** The answer's data, or the problem it sent as an ApiError. */
async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const retryHeader = Number(response.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retryHeader) && retryHeader > 0 ? retryHeader : undefined;
  let problem: ProblemLike = {
    status: response.status,
    code: `http-${response.status}`,
    title: response.statusText,
  };
  const body = error as Partial<Problem> | undefined;
  // Not JSON (a proxy's error page): keep the status line.
  if (body && typeof body === 'object' && typeof body.code === 'string')
    problem = { ...problem, ...body, status: response.status };
  return Promise.reject(new ApiError(problem, retryAfter));
}

export interface UploadHandle {
  /** Settles with the bulletin as the server has it after the upload. */
  done: Promise<Bulletin>;
  abort(): void;
}

/** Problem+json from an XMLHttpRequest answer (the upload path cannot use fetch: no upload progress). */
function xhrError(xhr: XMLHttpRequest): ApiError {
  let problem: ProblemLike = { status: xhr.status, code: `http-${xhr.status}`, title: xhr.statusText };
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

type ReportQuery<P extends '/api/reports/sessions' | '/api/reports/records' | '/api/reports/planned'> =
  NonNullable<paths[P]['get']['parameters']['query']>;

const path = <T extends Record<string, string>>(params: T) => ({ params: { path: params } });

export const api = {
  session: () => ok(client.GET('/api/auth/session')),
  login: (username: string, password: string) =>
    ok(client.POST('/api/auth/login', { body: { username, password } })),
  logout: () => ok(client.POST('/api/auth/logout')),
  changePassword: (currentPassword: string, newPassword: string) =>
    ok(client.POST('/api/auth/password', { body: { currentPassword, newPassword } })),

  users: () => ok(client.GET('/api/users')),
  createUser: (body: NewUser) => ok(client.POST('/api/users', { body })),
  updateUser: (userId: string, body: UserUpdate) =>
    ok(client.PATCH('/api/users/{userId}', { ...path({ userId }), body })),

  tokens: () => ok(client.GET('/api/tokens')),
  createToken: (name: string, userId: string) => ok(client.POST('/api/tokens', { body: { name, userId } })),
  revokeToken: (tokenId: string) => ok(client.DELETE('/api/tokens/{tokenId}', path({ tokenId }))),

  languages: () => ok(client.GET('/api/languages')),
  communes: () => ok(client.GET('/api/communes')),
  createCommune: (body: CommuneIn) => ok(client.POST('/api/communes', { body })),
  updateCommune: (communeId: string, body: CommuneUpdate) =>
    ok(client.PATCH('/api/communes/{communeId}', { ...path({ communeId }), body })),

  clusters: (communeId?: string) => ok(client.GET('/api/clusters', { params: { query: { communeId } } })),
  createCluster: (body: ClusterIn) => ok(client.POST('/api/clusters', { body })),
  updateCluster: (clusterId: string, body: ClusterUpdate) =>
    ok(client.PATCH('/api/clusters/{clusterId}', { ...path({ clusterId }), body })),

  bulletins: (query: BulletinQuery) => ok(client.GET('/api/bulletins', { params: { query } })),
  bulletin: (bulletinId: string) => ok(client.GET('/api/bulletins/{bulletinId}', path({ bulletinId }))),
  createBulletin: (body: BulletinIn) => ok(client.POST('/api/bulletins', { body })),
  updateBulletin: (bulletinId: string, body: BulletinUpdate) =>
    ok(client.PATCH('/api/bulletins/{bulletinId}', { ...path({ bulletinId }), body })),
  removeTrack: (bulletinId: string, language: string) =>
    ok(client.DELETE('/api/bulletins/{bulletinId}/tracks/{language}', path({ bulletinId, language }))),
  speakTrack: (bulletinId: string, language: string, text: string, engine?: string) =>
    ok(
      client.POST('/api/bulletins/{bulletinId}/tracks/{language}/tts', {
        ...path({ bulletinId, language }),
        body: { text, ...(engine ? { engine } : {}) },
      }),
    ),
  transcode: (bulletinId: string) =>
    ok(client.POST('/api/bulletins/{bulletinId}/transcode', path({ bulletinId }))),
  approve: (bulletinId: string) =>
    ok(client.POST('/api/bulletins/{bulletinId}/approve', path({ bulletinId }))),
  withdrawApproval: (bulletinId: string, reason?: string) =>
    ok(
      client.POST('/api/bulletins/{bulletinId}/withdraw-approval', {
        ...path({ bulletinId }),
        body: reason ? { reason } : {},
      }),
    ),
  archiveBulletin: (bulletinId: string, reason?: string) =>
    ok(
      client.POST('/api/bulletins/{bulletinId}/archive', {
        ...path({ bulletinId }),
        body: reason ? { reason } : {},
      }),
    ),
  deleteBulletin: (bulletinId: string) =>
    ok(client.DELETE('/api/bulletins/{bulletinId}', path({ bulletinId }))),
  ttsEngines: () => ok(client.GET('/api/tts/engines')),

  marketCalendars: (communeId?: string) =>
    ok(client.GET('/api/market-calendars', { params: { query: { communeId } } })),
  createMarketCalendar: (body: MarketCalendarIn) => ok(client.POST('/api/market-calendars', { body })),
  updateMarketCalendar: (calendarId: string, body: MarketCalendarUpdate) =>
    ok(client.PATCH('/api/market-calendars/{calendarId}', { ...path({ calendarId }), body })),
  deleteMarketCalendar: (calendarId: string) =>
    ok(client.DELETE('/api/market-calendars/{calendarId}', path({ calendarId }))),
  marketDays: (calendarId: string, from: string, to: string) =>
    ok(
      client.GET('/api/market-calendars/{calendarId}/occurrences', {
        params: { path: { calendarId }, query: { from, to } },
      }),
    ),
  /** The keyed URL a phone calendar app subscribes to (no header needed). */
  marketFeedSubscription: (communeId: string) =>
    ok(client.GET('/api/communes/{communeId}/market-days/subscription', path({ communeId }))),
  rotateMarketFeedSubscription: (communeId: string) =>
    ok(client.POST('/api/communes/{communeId}/market-days/subscription/rotate', path({ communeId }))),

  slots: (query: SlotQuery) => ok(client.GET('/api/slots', { params: { query } })),
  createSlot: (body: SlotIn) => ok(client.POST('/api/slots', { body })),
  updateSlot: (slotId: string, body: SlotUpdate) =>
    ok(client.PATCH('/api/slots/{slotId}', { ...path({ slotId }), body })),
  deleteSlot: (slotId: string) => ok(client.DELETE('/api/slots/{slotId}', path({ slotId }))),

  audit: (query: AuditQuery) => ok(client.GET('/api/audit', { params: { query } })),
  logVerification: (query: LogVerificationQuery) =>
    ok(client.GET('/api/log/verification', { params: { query } })),

  reportSessions: (query: ReportQuery<'/api/reports/sessions'>) =>
    ok(client.GET('/api/reports/sessions', { params: { query } })),
  reportRecords: (query: ReportQuery<'/api/reports/records'>) =>
    ok(client.GET('/api/reports/records', { params: { query } })),
  reportPlanned: (query: ReportQuery<'/api/reports/planned'>) =>
    ok(client.GET('/api/reports/planned', { params: { query } })),
  startReportExport: (
    body: NonNullable<paths['/api/reports/exports']['post']['requestBody']>['content']['application/json'],
  ) => ok(client.POST('/api/reports/exports', { body })),
  reportExport: (exportId: string) => ok(client.GET('/api/reports/exports/{exportId}', path({ exportId }))),

  broadcasts: (query: BroadcastQuery) => ok(client.GET('/api/broadcasts', { params: { query } })),
  board: () => ok(client.GET('/api/board')),
  airEmergency: (body: EmergencyIn) => ok(client.POST('/api/emergencies', { body })),
  airTestTone: (clusterId: string) =>
    ok(client.POST('/api/clusters/{clusterId}/test-tone', path({ clusterId }))),
};

/** Where the board's live updates come from (Server-Sent Events, `board` events). */
export const BOARD_EVENTS_URL = '/api/board/events';
/** What the recorder captured of a broadcast (the player's source; Range requests). */
export const recordingUrl = (broadcastId: string) =>
  `/api/broadcasts/${encodeURIComponent(broadcastId)}/recording`;
