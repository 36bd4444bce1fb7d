// An Axis-like network speaker on loopback for the HTTP push tests: a real HTTP server that
// takes `POST /axis-cgi/audio/transmit.cgi` as an Axis device does — Basic or Digest login (the
// server side of RFC 7616/2617 MD5 digest, each nonce good for one request), the content type
// checked, the body "played" as it arrives — and keeps what it heard: the body in a file per
// request, and when each byte came, so a test can tell a sender that bursts ahead of real time.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { wallTimeOf } from '../../../worker/dispatch/pacer.ts';

export const TRANSMIT_PATH = '/axis-cgi/audio/transmit.cgi';
const BYTES_PER_SEC: Record<string, number> = { 'audio/basic': 8000, 'audio/axis-mulaw-128': 16000 };

export interface EmulatorOptions {
  dir: string;
  /** The login the device asks for; 'none' plays for anyone. */
  auth: 'basic' | 'digest' | 'none';
  username?: string;
  password?: string;
  /** Hang up (FIN, no answer) once this many body bytes have arrived. */
  dropAfterBytes?: number;
  /** Answer every request with this redirect instead. */
  redirectTo?: string;
  /** Serve https with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

/** One request the device took, as it heard it. */
export interface Transmission {
  contentType: string;
  chunked: boolean;
  /** The capture: the body as received. */
  path: string;
  bytes: number;
  /** Wall-clock ms (the dispatch scale) at which the first body bytes arrived. */
  firstByteAt: number | null;
  /** How far the audio received ran ahead of real time since its first byte (ms, at most). */
  maxLeadMs: number;
  /** How far it fell behind real time (ms, at most): the device's buffer would have run dry. */
  maxLagMs: number;
  /** The sender ended the body itself (the last chunk), rather than the connection ending. */
  endedCleanly: boolean;
  status: number;
  done: Promise<void>;
}

export interface AxisEmulator {
  url: string;
  /** Requests refused before any audio (status and why), in order. */
  refused: { status: number; why: string }[];
  transmissions: Transmission[];
  /** Resolves with the next transmission the device starts playing. */
  nextTransmission(): Promise<Transmission>;
  close(): Promise<void>;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export async function startAxisEmulator(options: EmulatorOptions): Promise<AxisEmulator> {
  const realm = 'AXIS_ACCC8E012345';
  /** Issued nonces not yet used, with the highest nonce count seen (replays are refused). */
  const nonces = new Map<string, number>();
  const refused: AxisEmulator['refused'] = [];
  const transmissions: Transmission[] = [];
  const waiting: ((t: Transmission) => void)[] = [];
  let counter = 0;

  const challenge = (res: ServerResponse, why: string) => {
    refused.push({ status: 401, why });
    if (options.auth === 'digest') {
      const nonce = randomBytes(16).toString('hex');
      nonces.set(nonce, 0);
      // Offered as a device with newer firmware does: SHA-256 first (Loa must pick MD5), then MD5.
      res.setHeader('WWW-Authenticate', [
        `Digest realm="${realm}", nonce="${nonce}", algorithm=SHA-256, qop="auth"`,
        `Digest realm="${realm}", nonce="${nonce}", algorithm=MD5, qop="auth-int,auth"`,
      ]);
    } else {
      res.setHeader('WWW-Authenticate', `Basic realm="${realm}"`);
    }
    res.writeHead(401, { 'Content-Type': 'text/plain' }).end('401 Unauthorized');
  };

  const loginOf = (req: IncomingMessage): 'ok' | 'none' | 'wrong' => {
    if (options.auth === 'none') return 'ok';
    const header = req.headers.authorization;
    if (!header) return 'none';
    if (options.auth === 'basic') {
      const expected = Buffer.from(`${options.username}:${options.password}`).toString('base64');
      return header === `Basic ${expected}` ? 'ok' : 'wrong';
    }
    if (!header.startsWith('Digest ')) return 'wrong';
    const p = Object.fromEntries(
      [...header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]),
    ) as Record<string, string>;
    const nc = Number.parseInt(p.nc ?? '', 16);
    const seen = p.nonce ? nonces.get(p.nonce) : undefined;
    if (seen === undefined || !(nc > seen) || p.qop !== 'auth' || p.realm !== realm) return 'wrong';
    if (p.uri !== req.url || p.username !== options.username) return 'wrong';
    const ha1 = md5(`${options.username}:${realm}:${options.password}`);
    const ha2 = md5(`${req.method}:${p.uri}`);
    const response = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
    nonces.delete(p.nonce as string); // single-use, whatever the outcome
    return response === p.response ? 'ok' : 'wrong';
  };

  const transmit = (req: IncomingMessage, res: ServerResponse) => {
    const contentType = req.headers['content-type'] ?? '';
    const rate = BYTES_PER_SEC[contentType];
    if (!rate) {
      refused.push({ status: 415, why: `content type ${contentType}` });
      res.writeHead(415).end('Unsupported Media Type');
      return;
    }
    const path = join(options.dir, `transmission-${++counter}.ul`);
    const file = createWriteStream(path);
    let resolveDone: () => void = () => {};
    const t: Transmission = {
      contentType,
      chunked: req.headers['transfer-encoding'] === 'chunked',
      path,
      bytes: 0,
      firstByteAt: null,
      maxLeadMs: 0,
      maxLagMs: 0,
      endedCleanly: false,
      status: 0,
      done: new Promise<void>((resolve) => {
        resolveDone = resolve;
      }),
    };
    transmissions.push(t);
    for (const w of waiting.splice(0)) w(t);
    const finish = () => file.end(() => resolveDone());
    req.on('data', (chunk: Buffer) => {
      const now = wallTimeOf(performance.now());
      t.firstByteAt ??= now;
      t.bytes += chunk.length;
      file.write(chunk);
      // Audio received so far against the time since the first byte.
      const ahead = (t.bytes * 1000) / rate - (now - t.firstByteAt);
      t.maxLeadMs = Math.max(t.maxLeadMs, ahead);
      t.maxLagMs = Math.max(t.maxLagMs, -ahead);
      if (options.dropAfterBytes !== undefined && t.bytes >= options.dropAfterBytes) {
        req.socket.destroy(); // hangs up mid-stream, no answer
      }
    });
    req.on('end', () => {
      t.endedCleanly = true;
      t.status = 204;
      res.writeHead(204, { Server: 'Axis-emulator' }).end();
      finish();
    });
    req.on('close', finish);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (options.redirectTo) {
      refused.push({ status: 302, why: 'redirect' });
      res.writeHead(302, { Location: options.redirectTo }).end();
      return;
    }
    const pathname = new URL(req.url ?? '/', 'http://device').pathname;
    if (pathname !== TRANSMIT_PATH) {
      refused.push({ status: 404, why: pathname });
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST') {
      refused.push({ status: 405, why: req.method ?? '' });
      res.writeHead(405).end();
      return;
    }
    const login = loginOf(req);
    if (login === 'none') return challenge(res, 'no login');
    if (login === 'wrong') return challenge(res, 'wrong login');
    transmit(req, res);
  };
  const server: Server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${TRANSMIT_PATH}`,
    refused,
    transmissions,
    nextTransmission: () => new Promise<Transmission>((resolve) => waiting.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
