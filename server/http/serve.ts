// The HTTP server around the app. A request Node itself cannot parse (a body shorter than its
// Content-Length, a garbled header) is answered as problem+json too, not with a bare 400.
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';

const MALFORMED = JSON.stringify({
  type: '/problems/malformed-request',
  title: 'Yêu cầu bị lỗi hoặc bị ngắt / Malformed or interrupted request',
  status: 400,
  code: 'malformed-request',
  detail: 'The request could not be read (its declared length or headers do not match what was sent)',
});

export function serve(app: Express, port: number, host: string): Promise<Server> {
  const server = createServer(app);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) {
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nConnection: close\r\n' +
          `Content-Length: ${Buffer.byteLength(MALFORMED)}\r\n\r\n${MALFORMED}`,
      );
    } else {
      socket.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
