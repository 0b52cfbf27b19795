import { type DynamicModule, Module } from '@nestjs/common';
import { READINESS_CHECK } from '@redpacket/platform';
import { OUTBOX_RELAY_OPTIONS, OutboxRelayService, type OutboxRelayServiceOptions } from './outbox-relay.service';

/**
 * Hosts one outbox's relay. An app imports it beside the domain module whose transactions write that
 * outbox, so its module reads as its parts list: the relay is one of them, and part of its readiness.
 */
@Module({})
export class OutboxRelayModule {
  static forRoot(options: OutboxRelayServiceOptions): DynamicModule {
    return {
      module: OutboxRelayModule,
      providers: [
        { provide: OUTBOX_RELAY_OPTIONS, useValue: options },
        OutboxRelayService,
        { provide: READINESS_CHECK, useExisting: OutboxRelayService },
      ],
      exports: [OutboxRelayService],
    };
  }
}
