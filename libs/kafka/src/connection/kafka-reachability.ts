import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { Admin, ISocketFactory } from 'kafkajs';
import { createKafkaClient, type KafkaClientOptions } from '../kafka-client.factory';

/** kafkajs's own way to open a connection: TLS when the client has it, else plain TCP. */
export const openKafkaSocket: ISocketFactory = ({ host, port, ssl, onConnect }) =>
  ssl
    ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : netConnect({ host, port }, onConnect);

/**
 * Readiness's question to Kafka, "do you answer?", asked on connections of its own. A caller that
 * gives up aborts its signal, and the probe cuts those connections: the request in flight fails at
 * once instead of after the client's request timeout, so probes of a broker that does not answer
 * never pile up, and the app's other connections are never touched. The next probe connects again.
 */
export class KafkaReachability implements OnApplicationShutdown {
  private readonly sockets = new Set<Socket>();
  private readonly admin: Admin;

  /** `options.socketFactory`, when given, opens the connections (a test routes them through a proxy). */
  constructor(options: KafkaClientOptions) {
    const open = options.socketFactory ?? openKafkaSocket;
    this.admin = createKafkaClient({
      ...options,
      clientId: `${options.clientId}-readiness`,
      // What fails here is readiness's answer (its `degraded` and details), not a log line per probe.
      logLevel: 'silent',
      retry: { retries: 0 },
      socketFactory: (args) => this.track(open(args)),
    }).admin();
  }

  /** How many brokers the cluster's metadata lists: a round trip that proves the connection. */
  async brokerCount(signal: AbortSignal): Promise<number> {
    signal.throwIfAborted();
    const cut = () => {
      for (const socket of this.sockets) socket.destroy(new Error('the readiness probe gave up'));
    };
    signal.addEventListener('abort', cut, { once: true });
    try {
      await this.admin.connect();
      return (await this.admin.describeCluster()).brokers.length;
    } finally {
      signal.removeEventListener('abort', cut);
    }
  }

  /** Connections the probe holds open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }
}
