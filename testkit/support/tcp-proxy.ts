import { connect, createServer, type Server, type Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/** What the proxy does to the traffic; switchable at any time with `setFault`. */
export type NetworkFault =
  | { kind: 'pass-through' }
  /** Every frame, both ways, arrives `ms` later (order kept). */
  | { kind: 'delay'; ms: number }
  /** A blackhole: connections stay open, bytes are swallowed both ways, nothing is forwarded. */
  | { kind: 'drop' }
  /** Every open connection is reset, and so is each new one while the fault lasts. */
  | { kind: 'reset' }
  /**
   * The request reaches the broker, but the connection is reset before the broker's response to
   * it gets back: the 1st, (1 + every)th, (1 + 2·every)th… response to a request with this API key
   * is lost. A lost response is the one fault that makes a producer retry a write that succeeded.
   */
  | { kind: 'lose-response'; apiKey: number; every: number };

/** Kafka API keys used with `lose-response`. */
export const KAFKA_API = { produce: 0 } as const;

/** Counted since the proxy started. */
interface ProxyStats {
  connections: number;
  /** Responses withheld by `lose-response`. */
  lostResponses: number;
}

interface Link {
  client: Socket;
  upstream: Socket;
  /** correlation id → API key, for the requests still waiting for their response. */
  pending: Map<number, number>;
  requestBuffer: Buffer;
  responseBuffer: Buffer;
  /** Per direction, when the last delayed frame is due: a later frame never overtakes it. */
  dueAt: { request: number; response: number };
}

/**
 * A fault-injecting TCP proxy in front of one Kafka broker. It forwards whole Kafka frames (a 4-byte
 * size, then the frame: requests start with API key, version and correlation id, responses with the
 * correlation id), so a fault can single out one request's response. Started with `{ raw: true }` it
 * forwards bytes as they come, for any protocol (Postgres, or Kafka over TLS), and every fault but
 * `lose-response` applies.
 */
export class TcpProxy {
  readonly stats: ProxyStats = { connections: 0, lostResponses: 0 };
  private fault: NetworkFault = { kind: 'pass-through' };
  private matchingResponses = 0;
  private readonly links = new Set<Link>();

  private constructor(
    private readonly server: Server,
    readonly target: { host: string; port: number },
    private readonly raw: boolean,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1 and forwards to `target` ("host:port"). */
  static async start(target: string, options: { raw?: boolean } = {}): Promise<TcpProxy> {
    const [host, port] = splitAddress(target);
    const proxy = new TcpProxy(createServer(), { host, port }, options.raw ?? false);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy is not listening');
    return address.port;
  }

  /** Connections open through the proxy now. */
  get openConnections(): number {
    return this.links.size;
  }

  setFault(fault: NetworkFault): void {
    if (this.raw && fault.kind === 'lose-response') throw new Error('a raw proxy cannot tell responses apart');
    this.fault = fault;
    this.matchingResponses = 0;
    if (fault.kind === 'reset') for (const link of this.links) this.cut(link);
  }

  async close(): Promise<void> {
    for (const link of this.links) this.cut(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.stats.connections++;
    if (this.fault.kind === 'reset') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.target);
    const link: Link = {
      client,
      upstream,
      pending: new Map(),
      requestBuffer: Buffer.alloc(0),
      responseBuffer: Buffer.alloc(0),
      dueAt: { request: 0, response: 0 },
    };
    this.links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      link.requestBuffer = this.forwardFrames(link, 'request', Buffer.concat([link.requestBuffer, chunk]));
    });
    upstream.on('data', (chunk: Buffer) => {
      link.responseBuffer = this.forwardFrames(link, 'response', Buffer.concat([link.responseBuffer, chunk]));
    });
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.cut(link));
      socket.on('close', () => this.cut(link));
    }
  }

  /** Forwards every complete frame in `buffer` and returns the incomplete rest. */
  private forwardFrames(link: Link, direction: 'request' | 'response', buffer: Buffer): Buffer {
    if (this.raw) {
      this.forward(link, direction, buffer);
      return Buffer.alloc(0);
    }
    let rest = buffer;
    while (rest.length >= 4 && rest.length >= 4 + rest.readInt32BE(0)) {
      const end = 4 + rest.readInt32BE(0);
      this.forward(link, direction, rest.subarray(0, end));
      rest = rest.subarray(end);
    }
    return rest;
  }

  private forward(link: Link, direction: 'request' | 'response', frame: Buffer): void {
    const fault = this.fault;
    if (fault.kind === 'drop') return;
    if (fault.kind === 'reset') return this.cut(link);
    if (!this.raw && this.losesResponse(link, direction, frame, fault)) return this.cut(link);
    const to = direction === 'request' ? link.upstream : link.client;
    if (fault.kind !== 'delay') {
      to.write(frame);
      return;
    }
    const due = Math.max(Date.now() + fault.ms, link.dueAt[direction]);
    link.dueAt[direction] = due;
    setTimeout(() => to.destroyed || to.write(frame), due - Date.now());
  }

  /** Reads a Kafka frame's header: whether `lose-response` withholds this response (raw bytes are never read). */
  private losesResponse(link: Link, direction: 'request' | 'response', frame: Buffer, fault: NetworkFault): boolean {
    if (direction === 'request') {
      // Request header: size, API key (int16), API version (int16), correlation id (int32).
      if (frame.length >= 12) link.pending.set(frame.readInt32BE(8), frame.readInt16BE(4));
      return false;
    }
    if (frame.length < 8) return false;
    const correlationId = frame.readInt32BE(4);
    const apiKey = link.pending.get(correlationId);
    link.pending.delete(correlationId);
    if (fault.kind !== 'lose-response' || apiKey !== fault.apiKey) return false;
    if (this.matchingResponses++ % fault.every !== 0) return false;
    this.stats.lostResponses++;
    return true;
  }

  /** Resets both sides (an RST, not a polite FIN): the client sees the connection fail mid-request. */
  private cut(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.resetAndDestroy();
    link.upstream.resetAndDestroy();
  }
}

/**
 * A kafkajs `socketFactory` that opens every connection through the proxy for its broker. Changing
 * the seed list would not do: after the first metadata request kafkajs dials the addresses the
 * brokers advertise, so only routing at the socket keeps all traffic (the leader's included) on the
 * faulty path, without a broker of its own that advertises the proxy.
 */
export function throughProxies(proxies: TcpProxy[]): ISocketFactory {
  return ({ host, port, onConnect }) => {
    const proxy = proxies.find((p) => p.target.port === port && sameHost(p.target.host, host));
    if (!proxy) throw new Error(`no proxy in front of broker ${host}:${port}`);
    return connect({ host: '127.0.0.1', port: proxy.port }, onConnect);
  };
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

function sameHost(a: string, b: string): boolean {
  const loopback = (h: string) => (h === 'localhost' ? '127.0.0.1' : h);
  return loopback(a) === loopback(b);
}
