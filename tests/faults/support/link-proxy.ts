// The link between Loa and a cluster, as a TCP proxy on loopback that a fault test can degrade:
// refuse (the device's host is down: every connection reset at once), cut (every open connection
// dropped mid-stream, new ones refused), delay (each chunk held `delayMs` in each direction,
// order kept) or throttle toward the device (`bytesPerSec`, as a link slower than the stream).
// It counts the connections tried and the bytes delivered to the device.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class ClusterLink {
  delayMs = 0;
  /** Toward the device; 0 = unthrottled. */
  bytesPerSec = 0;
  /** Connections Loa opened (refused ones included). */
  attempts = 0;
  bytesToDevice = 0;
  port = 0;
  private refusing = false;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  constructor(private readonly device: { host: string; port: number }) {}

  async listen(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** The device's URL with this link in between. */
  urlFor(deviceUrl: string): string {
    const url = new URL(deviceUrl);
    url.port = String(this.port);
    return url.toString();
  }

  /** Refuses new connections (reset at once) until `restore()`; open ones go on. */
  refuse(): void {
    this.refusing = true;
  }

  /** Drops every open connection at once (RST both ways) and refuses new ones. */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.resetAndDestroy();
  }

  restore(): void {
    this.refusing = false;
  }

  private accept(client: Socket): void {
    this.attempts++;
    client.on('error', () => {});
    if (this.refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.device);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => this.sockets.delete(s));
    }
    this.relay(client, upstream, true);
    this.relay(upstream, client, false);
  }

  private relay(from: Socket, to: Socket, towardDevice: boolean): void {
    // One queue per direction, so chunks (and the close after them) leave in order: each no
    // earlier than its arrival + delay and, toward the device, no faster than the throttle.
    let queue = Promise.resolve();
    let nextFree = 0;
    const later = (at: number, then: () => void) => {
      queue = queue.then(async () => {
        const left = at - performance.now();
        if (left > 0) await new Promise((r) => setTimeout(r, left));
        then();
      });
    };
    from.on('data', (chunk: Buffer) => {
      let at = Math.max(performance.now() + this.delayMs, nextFree);
      if (towardDevice && this.bytesPerSec > 0) at += (chunk.length * 1000) / this.bytesPerSec;
      nextFree = at;
      later(at, () => {
        if (to.destroyed) return;
        if (towardDevice) this.bytesToDevice += chunk.length;
        to.write(chunk);
      });
    });
    // A side that closes closes the other once its data is through (cut() resets both at once).
    from.on('close', () => later(performance.now() + this.delayMs, () => to.destroy()));
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
