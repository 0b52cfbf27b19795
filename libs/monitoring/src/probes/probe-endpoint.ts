import { Body, Controller, HttpCode, Inject, type OnApplicationShutdown, Post } from '@nestjs/common';
import { RedpacketError } from '@redpacket/errors';
import { ApiTags } from '@nestjs/swagger';
import { BaseConfig } from '@redpacket/config';
import { namespaced, TOPICS } from '@redpacket/contracts';
import { type EventProducer, KafkaAdmin, KafkaClients, settlesWithin, SystemTopicsBootstrap } from '@redpacket/kafka';
import { RequiresAdminScope } from '@redpacket/platform';
import { IsString, Matches } from 'class-validator';
import { ProbeWriter } from './probe-writer';

/** How long a probe request waits for the system topics when the app has not reached Kafka yet. */
const TOPICS_WAIT_MS = 5_000;

export class WriteProbesDto {
  /** The monitor instance asking: its reader keeps only its own probes. */
  @IsString()
  @Matches(/^[\w.-]{1,100}$/, { message: 'writerId must be 1-100 letters, digits, dots, dashes or underscores' })
  writerId!: string;
}

/** A written probe as JSON: the offset is a decimal string (Kafka offsets are 64-bit). */
export interface WrittenProbe {
  partition: number;
  offset: string;
  sentAtMs: number;
}

/**
 * `POST /admin/probes`, on the order service: writes one probe into every partition of
 * order.purchased for the monitor that asks. Only the order service's principal may write that topic,
 * so the monitor's probes travel the orders' own partitions without the monitor holding that right.
 */
@ApiTags('admin')
@RequiresAdminScope('probes')
@Controller('admin/probes')
export class ProbesController implements OnApplicationShutdown {
  private readonly producer: EventProducer;
  private readonly writer: ProbeWriter;
  private connecting?: Promise<void>;

  constructor(
    @Inject(KafkaClients) clients: KafkaClients,
    @Inject(KafkaAdmin) admin: KafkaAdmin,
    @Inject(BaseConfig) config: BaseConfig,
    @Inject(SystemTopicsBootstrap) private readonly topics: SystemTopicsBootstrap,
  ) {
    this.producer = clients.idempotentProducer();
    this.writer = new ProbeWriter(this.producer, admin, namespaced(config.KAFKA_NAMESPACE, TOPICS.orderPurchased));
  }

  @Post()
  @HttpCode(201)
  async write(@Body() body: WriteProbesDto): Promise<{ probes: WrittenProbe[] }> {
    await this.topicsWithin(TOPICS_WAIT_MS);
    this.connecting ??= this.producer.connect();
    await this.connecting.catch((error: unknown) => {
      this.connecting = undefined; // the next call tries again
      throw error;
    });
    const written = await this.writer.writeAll(body.writerId);
    return { probes: written.map((probe) => ({ ...probe, offset: probe.offset.toString() })) };
  }

  /** The app boots without Kafka: a probe asked for before the topics are known waits a little, then 503. */
  private async topicsWithin(ms: number): Promise<void> {
    if (!(await settlesWithin(this.topics.whenEnsured(), ms))) throw new KafkaNotReachedError();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.connecting) return;
    await this.producer.disconnect().catch(() => undefined);
  }
}

/** 503: the order service has not reached Kafka since it started, so it wrote no probe; ask again later. */
export class KafkaNotReachedError extends RedpacketError {
  readonly code = 'KAFKA_NOT_REACHED';
  readonly retriable = true;
  override readonly retryAfterSeconds = 1;

  constructor() {
    super('Kafka has not been reached yet; no probe written');
  }
}
