// Talking HTTP to the device: the login round (a bodiless POST that draws the 401 challenge) and
// the audio POST itself, opened with its headers sent so that the instant only writes audio.
// Redirects are never followed (Node's client does not, and a 3xx is a refusal here).
import { type ClientRequest, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { ClusterOfflineError } from '../probe.ts';
import { type Credentials, chooseLogin, type Login, parseChallenges } from './auth.ts';

export type Reason = { code: string; message: string };

/** How long the device may take to connect and answer the login round. */
export const DEVICE_TIMEOUT_MS = 5_000;
/** What of a device's answer is kept as evidence: no cookies, no challenge nonces. */
const KEPT_HEADERS = ['server', 'date', 'content-type', 'content-length', 'location'] as const;
const KEPT_BODY_CHARS = 300;

export interface DeviceAnswer {
  status: number;
  headers: Partial<Record<(typeof KEPT_HEADERS)[number], string>>;
  /** The start of the body (devices say why they refused there), control characters removed. */
  body: string;
  /** Every WWW-Authenticate header (not kept in the receipt). */
  challenges: string[];
}

export interface Target {
  url: URL;
  contentType: string;
  credentials?: Credentials;
}

/** The login to use: none when the device asks for none, or a refusal that ends the airing. */
export async function logIn(
  target: Target,
  signal: AbortSignal,
): Promise<{ login: Login | null; refusal?: undefined } | { refusal: Reason; answer?: DeviceAnswer }> {
  if (!target.credentials) return { login: null };
  const req = send(target, { 'Content-Length': '0' });
  const answer = await answerOf(
    req,
    AbortSignal.any([signal, AbortSignal.timeout(DEVICE_TIMEOUT_MS)]),
    true,
  ).catch((err: Error) => {
    // The device is not there (or not speaking HTTP): offline, retried until the lateness limit.
    throw err instanceof ClusterOfflineError || err instanceof DeviceRefusal ? err : offline(req, err);
  });
  if (answer.status >= 200 && answer.status < 300) return { login: null }; // the device asks no login
  if (answer.status !== 401) {
    if (answer.status >= 500) throw new DeviceUnavailableError(answer.status);
    return { refusal: refusalOf(answer, 0), answer };
  }
  const login = chooseLogin(parseChallenges(answer.challenges), target.credentials);
  if (login.scheme === 'unsupported') {
    return {
      refusal: {
        code: 'auth-unsupported',
        message: `thiết bị đòi kiểu đăng nhập Loa không hỗ trợ (${login.offered}) / the device asks for a login Loa cannot give (${login.offered}); Loa speaks Digest MD5 and Basic`,
      },
    };
  }
  return { login };
}

export interface OpenedPush {
  req: ClientRequest;
  /** The device's answer, or the connection's end without one. Never rejects. */
  answered: Promise<DeviceAnswer | { dropped: string }>;
}

/** Opens the audio POST (chunked, headers sent) and waits for the connection; nothing of the body yet. */
export async function openPush(
  target: Target,
  login: Login | null,
  signal: AbortSignal,
): Promise<OpenedPush> {
  const uri = `${target.url.pathname}${target.url.search}`;
  const authorization =
    login && login.scheme !== 'unsupported' ? login.authorization('POST', uri) : undefined;
  const req = send(target, {
    'Transfer-Encoding': 'chunked',
    ...(authorization ? { Authorization: authorization } : {}),
  });
  const answered = answerOf(req, undefined, false).catch((err: NodeJS.ErrnoException) => ({
    dropped: err.code ?? err.message,
  }));
  req.flushHeaders();
  await connected(req, target.url, AbortSignal.any([signal, AbortSignal.timeout(DEVICE_TIMEOUT_MS)]));
  return { req, answered };
}

function send(target: Target, headers: Record<string, string>): ClientRequest {
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = request(target.url, {
    method: 'POST',
    agent: false, // one connection per airing, closed at its end
    headers: { 'Content-Type': target.contentType, 'User-Agent': 'Loa', ...headers },
  });
  req.setNoDelay(true); // 20 ms chunks go out as written, not gathered by Nagle
  return req;
}

/** The device's answer to `req` (ended with no body when `endBody`); rejects on a network error. */
function answerOf(
  req: ClientRequest,
  signal: AbortSignal | undefined,
  endBody: boolean,
): Promise<DeviceAnswer> {
  return new Promise<DeviceAnswer>((resolve, reject) => {
    const onAbort = () => fail(offline(req, signal?.reason));
    const fail = (err: Error) => {
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    // Once the device has answered, a reset or close that follows only ends the reading of it.
    let answered = false;
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!answered) fail(err.code === 'ECONNREFUSED' ? offline(req, err) : (tlsRefusal(err) ?? err));
    });
    req.once('close', () => {
      if (!answered) fail(Object.assign(new Error('closed without an answer'), { code: 'EPIPE' }));
    });
    req.once('response', (res) => {
      answered = true;
      signal?.removeEventListener('abort', onAbort);
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (text: string) => {
        if (body.length < KEPT_BODY_CHARS) body += text;
      });
      res.on('error', () => {});
      const settle = () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: keptHeaders(res.headers),
          body: body
            .slice(0, KEPT_BODY_CHARS)
            .replace(/\p{Cc}+/gu, ' ')
            .trim(),
          challenges: challengesOf(res.headers, res.headersDistinct),
        });
      // The body is read for a moment (it says why), never waited on for long.
      res.once('end', settle);
      res.once('close', settle);
      setTimeout(settle, 200).unref();
    });
    if (endBody) req.end();
  });
}

function keptHeaders(headers: IncomingHttpHeaders): DeviceAnswer['headers'] {
  const kept: DeviceAnswer['headers'] = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') kept[name] = name === 'location' ? redacted(value) : value;
  }
  return kept;
}

function challengesOf(
  headers: IncomingHttpHeaders,
  distinct: Record<string, string[] | undefined>,
): string[] {
  return distinct['www-authenticate'] ?? (headers['www-authenticate'] ? [headers['www-authenticate']] : []);
}

/** Resolves once the connection is up (TLS included); the socket event comes a tick after the request. */
function connected(req: ClientRequest, url: URL, signal: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const tls = url.protocol === 'https:';
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      req.off('error', onError);
    };
    const fail = (err: Error) => {
      cleanup();
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(offline(req, signal.reason));
    const onError = (err: Error) => fail(tlsRefusal(err) ?? offline(req, err));
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('error', onError);
    req.once('socket', (socket: Socket) => {
      const up = () => {
        cleanup();
        resolve(socket);
      };
      if (!tls && !socket.connecting) up();
      else socket.once(tls ? 'secureConnect' : 'connect', up);
    });
  });
}

/** A refusal known before the instant (its certificate, its answer to the login round): the airing fails at start. */
export class DeviceRefusal extends Error {
  constructor(readonly reason: Reason) {
    super(reason.message);
  }
}

/** The device's certificate is not one Loa trusts (self-signed, expired, another name) or it speaks no TLS. */
function tlsRefusal(err: NodeJS.ErrnoException): DeviceRefusal | undefined {
  if (!err.code || !/CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL/.test(err.code)) return undefined;
  return new DeviceRefusal({
    code: 'tls-refused',
    message: `chứng chỉ HTTPS của thiết bị không được tin cậy (${err.code}) / the device's HTTPS certificate is not trusted (${err.code})`,
  });
}

function offline(req: ClientRequest, cause: unknown): ClusterOfflineError {
  const why = (cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.message ?? String(cause);
  return new ClusterOfflineError(`${req.host}: ${why}`);
}

/** A 5xx to the login round: the device is up but not ready; the engine retries. */
export class DeviceUnavailableError extends Error {
  readonly code = 'device-unavailable';
  constructor(status: number) {
    super(`thiết bị đang bận hoặc lỗi (HTTP ${status}) / the device is busy or failing (HTTP ${status})`);
  }
}

/** Why a device's answer ends an airing (3xx and 4xx: it did not take the audio). */
export function refusalOf(answer: DeviceAnswer, secondsSent: number): Reason {
  const { status } = answer;
  const said = answer.body ? `: ${answer.body.slice(0, 120)}` : '';
  if (status >= 300 && status < 400) {
    const to = answer.headers.location ? ` → ${redacted(answer.headers.location)}` : '';
    return {
      code: 'redirect-refused',
      message: `thiết bị chuyển hướng (HTTP ${status}${to}), Loa không đi theo / the device redirected (HTTP ${status}${to}); Loa does not follow redirects`,
    };
  }
  if (status === 401 || status === 403) {
    return {
      code: 'auth-refused',
      message: `thiết bị từ chối đăng nhập (HTTP ${status}) — kiểm tra tên và mật khẩu / the device refused the login (HTTP ${status}) — check the user name and password`,
    };
  }
  if (status >= 400 && status < 500) {
    return {
      code: 'device-refused',
      message: `thiết bị từ chối âm thanh (HTTP ${status}${said}) / the device refused the audio (HTTP ${status}${said})`,
    };
  }
  if (status >= 500) {
    return {
      code: 'device-error',
      message: `thiết bị báo lỗi sau ${secondsSent.toFixed(1)} s (HTTP ${status}${said}) / the device failed after ${secondsSent.toFixed(1)} s (HTTP ${status}${said})`,
    };
  }
  return {
    code: 'device-ended',
    message: `thiết bị kết thúc sớm sau ${secondsSent.toFixed(1)} s (HTTP ${status}) / the device ended the airing after ${secondsSent.toFixed(1)} s (HTTP ${status})`,
  };
}

/** A device's Location without what might be secret (user info, query). */
function redacted(location: string): string {
  if (!URL.canParse(location, 'http://device/')) return '(?)';
  const u = new URL(location, 'http://device/');
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** 3xx and 4xx: the device did not play what it was sent. */
export function tookNoAudio(status: number): boolean {
  return status >= 300 && status < 500;
}
