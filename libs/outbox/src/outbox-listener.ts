import type { LoggerService } from '@nestjs/common';
import { Client } from 'pg';

/**
 * LISTENs on the outbox channel and calls `onNotify` when a transaction that wrote outbox rows commits.
 * A lost connection is re-established; the relay keeps polling meanwhile, so no event waits on it.
 */
export class OutboxListener {
  private client: Client | undefined;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly onNotify: () => void,
    private readonly logger: LoggerService,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'outbox-listener' });
    client.on('notification', () => this.onNotify());
    client.on('error', (error) => {
      this.logger.warn?.('outbox listener connection failed', { error: error.message });
    });
    client.on('end', () => this.scheduleReconnect());
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      this.client = client;
    } catch (error) {
      this.logger.warn?.('outbox listener could not connect', { error: (error as Error).message });
      await client.end().catch(() => undefined);
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), 1_000);
    this.reconnectTimer.unref();
  }
}
