import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Admin, Kafka } from 'kafkajs';

/** Admin connections opened through `withAdmin` are closed on shutdown even if a caller forgot. */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  private readonly admin: Admin;

  constructor(@Inject(Kafka) kafka: Kafka) {
    this.admin = kafka.admin();
  }

  async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    await this.admin.connect();
    return work(this.admin);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}
