// A TCP proxy on loopback standing in for a weak 4G link: the test can cut it (every connection
// dropped, new ones refused), slow it (each chunk held `latencyMs` in each direction, order
// kept; `lossRate` of them a retransmission longer), cut a download part-way (`cutAfterBytes` toward the client, once) and restore it.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class LinkProxy {
  latencyMs = 0;
  /**
   * Share of chunks lost on the way (the benchmark): TCP gets them through all the same, one
   * retransmission later, and holds what follows them until then (order kept).
   */
  lossRate = 0;
  retransmitMs = 0;
  private down = false;
  private cutAfter: number | undefined;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  port = 0;
  /** Bytes sent toward clients, and the first line of what clients sent (HTTP request heads). */
  bytesToClients = 0;
  readonly requests: string[] = [];

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Drops every connection and refuses new ones until `restore()`. */
  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  /** The next `bytes` toward the client go through, then the link is cut (not restored). */
  cutAfterBytes(bytes: number): void {
    this.cutAfter = bytes;
  }

  private accept(client: Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = connect(this.target);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    this.relay(client, upstream, false);
    this.relay(upstream, client, true);
  }

  private relay(from: Socket, to: Socket, towardClient: boolean): void {
    let lastDue = 0;
    from.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (!towardClient) this.requests.push(chunk.toString('latin1').split('\r\n\r\n')[0] ?? '');
      if (towardClient && this.down) return;
      if (towardClient && this.cutAfter !== undefined) {
        if (data.length >= this.cutAfter) {
          data = data.subarray(0, this.cutAfter);
          this.cutAfter = undefined;
          this.bytesToClients += data.length;
          // The client reads what came before the line goes dead, as over a real link.
          to.write(data, () => setTimeout(() => this.cut(), 200));
          from.pause();
          return;
        }
        this.cutAfter -= data.length;
      }
      if (towardClient) this.bytesToClients += data.length;
      if (this.latencyMs <= 0 && this.lossRate <= 0) {
        to.write(data);
        return;
      }
      const now = performance.now();
      const lost = Math.random() < this.lossRate ? this.retransmitMs : 0;
      lastDue = Math.max(lastDue, now + this.latencyMs + lost);
      setTimeout(() => to.writable && to.write(data), lastDue - now);
    });
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
