/**
 * Opens an Icecast source connection: Loa becomes the source of a mount that the clusters'
 * receivers pull. Icecast 2.4 protocol: `PUT /mount HTTP/1.1` with Basic auth, `Content-Type:
 * audio/mpeg` and `Expect: 100-continue`; the server answers `100 Continue` and/or `200 OK`, and
 * the body is then the raw MP3 stream for as long as the connection lasts (no length, no
 * chunking). A server older than 2.4 does not know PUT: it is asked again with the legacy
 * `SOURCE /mount HTTP/1.0`.
 *
 * A raw TCP socket rather than node:http: the body must go out frame by frame, unchunked, with
 * nothing buffered ahead, and a dropped connection must be seen at once. The credentials go only
 * into the request head on the wire: no error or log line carries them.
 */
import { connect, type Socket } from 'node:net';
import { ClusterOfflineError } from '../probe.ts';

export interface SourceTarget {
  host: string;
  port: number;
  mount: string;
  username: string;
  password: string;
}

/** Icecast answered, and said no: the reason code is the broadcast's. */
export class SourceRefusedError extends Error {
  constructor(
    readonly code: 'auth-refused' | 'mount-in-use' | 'source-refused',
    message: string,
  ) {
    super(message);
  }
}

const CONNECT_TIMEOUT_MS = 5_000;
const MAX_HEAD_BYTES = 16_384;

export function targetOf(config: {
  url: string;
  mount: string;
  username: string;
  password: string;
}): SourceTarget {
  const url = new URL(config.url);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 80,
    mount: config.mount,
    username: config.username,
    password: config.password,
  };
}

function requestHead(target: SourceTarget, method: 'PUT' | 'SOURCE'): string {
  const auth = Buffer.from(`${target.username}:${target.password}`, 'utf8').toString('base64');
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const lines =
    method === 'PUT'
      ? [`PUT ${target.mount} HTTP/1.1`, `Host: ${host}:${target.port}`, 'Expect: 100-continue']
      : [`SOURCE ${target.mount} HTTP/1.0`];
  return [
    ...lines,
    `Authorization: Basic ${auth}`,
    'Content-Type: audio/mpeg',
    'User-Agent: Loa',
    'Ice-Public: 0',
    'Ice-Name: Loa',
    '',
    '',
  ].join('\r\n');
}

/** The server's final answer: the first status that is not 1xx, or null if it closed without one. */
function finalStatus(head: string): { status: number; text: string } | null | 'pending' {
  let rest = head;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return 'pending';
    const match = /^(?:HTTP|ICE)\/\d\.\d (\d{3}) ?([^\r\n]*)/.exec(rest);
    if (!match) return null;
    const status = Number(match[1]);
    if (status >= 200) return { status, text: match[2] ?? '' };
    rest = rest.slice(end + 4); // 100 Continue (with its empty headers): the real answer follows
  }
}

/** Connects and asks for the mount; resolves with the socket ready for the MP3 body. */
export async function openSource(target: SourceTarget, signal: AbortSignal): Promise<Socket> {
  const put = await ask(target, 'PUT', signal);
  if (put.socket) return put.socket;
  // No answer to PUT, or one saying the method is unknown: an Icecast before 2.4.
  if (put.status === null || put.status === 400 || put.status === 405 || put.status === 501) {
    const legacy = await ask(target, 'SOURCE', signal);
    if (legacy.socket) return legacy.socket;
    throw refusal(target, legacy.status, legacy.text);
  }
  throw refusal(target, put.status, put.text);
}

function refusal(target: SourceTarget, status: number | null, text: string): Error {
  const where = `${target.host}:${target.port}${target.mount}`;
  if (status === 401 || status === 403) {
    // Icecast says 403 "Mountpoint in use" when another source holds it; 401 is the login.
    if (status === 403 && /in use/i.test(text)) {
      return new SourceRefusedError(
        'mount-in-use',
        `điểm phát đang có nguồn khác / the mount has another source: ${where}`,
      );
    }
    return new SourceRefusedError(
      'auth-refused',
      `máy chủ Icecast từ chối đăng nhập nguồn / the Icecast server refused the source login (${status} ${text}): ${where}`,
    );
  }
  return new SourceRefusedError(
    'source-refused',
    `máy chủ Icecast không nhận nguồn / the Icecast server refused the source (${status ?? 'no answer'} ${text}): ${where}`,
  );
}

function ask(
  target: SourceTarget,
  method: 'PUT' | 'SOURCE',
  signal: AbortSignal,
): Promise<{ socket?: Socket; status: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    // Not `connect({ signal })`: that would also destroy the connection on an abort after it is
    // made, and the engine's preparation budget runs out at the instant, when the source must live on.
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    const onAbort = () => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) queueMicrotask(onAbort);
    else signal.addEventListener('abort', onAbort, { once: true });
    let head = '';
    let settled = false;
    const timer = setTimeout(() => {
      fail(
        new ClusterOfflineError(
          `${target.host}:${target.port} không trả lời / no answer in ${CONNECT_TIMEOUT_MS} ms`,
        ),
      );
    }, CONNECT_TIMEOUT_MS);
    const finish = (value: { socket?: Socket; status: number | null; text: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      if (!value.socket) socket.destroy();
      resolve(value);
    };
    function fail(err: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    }
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const answer = finalStatus(head);
      if (answer === 'pending') {
        if (head.length > MAX_HEAD_BYTES) finish({ status: null, text: 'answer too long' });
        return;
      }
      if (answer === null) return finish({ status: null, text: 'not an HTTP answer' });
      if (answer.status === 200) return finish({ socket, status: 200, text: answer.text });
      finish({ status: answer.status, text: answer.text });
    };
    socket.once('connect', () => socket.write(requestHead(target, method)));
    socket.on('data', onData);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (head || err.code === 'EPIPE' || err.code === 'ECONNRESET') {
        finish({ status: null, text: err.code ?? err.message });
        return;
      }
      fail(
        signal.aborted
          ? err
          : new ClusterOfflineError(`${target.host}:${target.port} ${err.code ?? err.message}`),
      );
    });
    socket.once('close', () => finish({ status: null, text: 'closed without an answer' }));
  });
}
