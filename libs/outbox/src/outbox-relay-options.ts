import type { BaseConfig, OutboxSettings } from '@redpacket/config';
import type { OutboxRelayServiceOptions } from './outbox-relay.service';
import { outboxLocation } from './outbox.types';

export function outboxRelayOptions(
  config: OutboxSettings & Pick<BaseConfig, 'DATABASE_URL'>,
  schema: string,
): OutboxRelayServiceOptions {
  return {
    location: outboxLocation(schema),
    enabled: config.OUTBOX_RELAY_ENABLED,
    databaseUrl: config.DATABASE_URL,
    batchSize: config.OUTBOX_BATCH_SIZE,
    maxBatchSize: config.OUTBOX_MAX_BATCH_SIZE,
    pipelineDepth: config.OUTBOX_PIPELINE_DEPTH,
    idleMaxMs: config.OUTBOX_IDLE_MAX_MS,
    sendRetries: config.OUTBOX_SEND_RETRIES,
    degradedAfterMs: config.OUTBOX_DEGRADED_AFTER_MS,
    retentionSeconds: config.OUTBOX_RETENTION_SECONDS,
    purgeIntervalMs: config.RETENTION_INTERVAL_MS,
  };
}
