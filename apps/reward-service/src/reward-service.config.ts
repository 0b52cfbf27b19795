import { type AdminScope, BaseConfig, ToBoolean, ToInt, WithOutbox } from '@redpacket/config';
import { WithProbeAlerts } from '@redpacket/monitoring';
import { WithRewards } from '@redpacket/rewards';
import { EventVerifier, parsePublicKeys } from '@redpacket/contracts';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';

export class RewardServiceConfig extends WithProbeAlerts(WithOutbox(WithRewards(BaseConfig))) {
  /** Run the `order.purchased` consumer (off: the app serves its API and relay only). */
  @ToBoolean()
  @IsBoolean()
  REWARD_CONSUMER_ENABLED = true;

  /** Users processed at once within one partition (each user's events stay in order). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(64)
  REWARD_CONCURRENCY = 4;

  /** Partitions whose batches are processed at the same time. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(64)
  REWARD_PARTITIONS_CONCURRENTLY = 3;

  /**
   * Grant each fetched batch's messages in chunks, one transaction per chunk (inbox-tx only): on by default
   * under inbox-tx, where the guarantee matrix and the fault suite pass both ways. `false` grants one
   * transaction per message.
   */
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  @OnlyWithInboxTx()
  REWARD_BATCH_GRANTS?: boolean;

  /** Messages per grant transaction when REWARD_BATCH_GRANTS is on. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1_000)
  REWARD_BATCH_SIZE = 100;

  /** How long the group waits for a silent member before giving its partitions to others (broker minimum 6 s). */
  @ToInt()
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  REWARD_SESSION_TIMEOUT_MS = 30_000;

  /**
   * A partition whose work keeps failing with a retriable error (the database down, a missing table)
   * is retried with backoff for ever, and reported stuck once it has failed for this long.
   */
  @ToInt()
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  REWARD_STUCK_AFTER_MS = 60_000;

  /** The longest pause between two attempts at a failing partition (the first is 100 ms, then doubling). */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(60_000)
  REWARD_MAX_RETRY_DELAY_MS = 5_000;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(200)
  override DATABASE_POOL_SIZE = 20;

  /**
   * The public keys OrderPurchased events may be signed with, `keyId:base64-SPKI` separated by commas
   * (more than one while keys rotate). An event without a valid signature from one of them is poison,
   * dead-lettered as INVALID_SIGNATURE. Required in production; without it, outside production, events
   * are not checked (said at boot).
   */
  @ValidateIf(
    (config: RewardServiceConfig) => config.EVENT_VERIFY_KEYS !== undefined || config.NODE_ENV === 'production',
  )
  @IsString({ message: 'EVENT_VERIFY_KEYS is required in production: without it forged events are paid' })
  @ValidateBy({
    name: 'ed25519PublicKeys',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parsePublicKeys(value).problems.length === 0,
      defaultMessage: (args?: ValidationArguments) =>
        `EVENT_VERIFY_KEYS: ${parsePublicKeys(String(args?.value)).problems.join('; ')}`,
    },
  })
  EVENT_VERIFY_KEYS?: string;

  override servedAdminScopes(): readonly AdminScope[] {
    return ['rules', 'read', 'metrics'];
  }
}

/** The consumer's verifier, or none outside production when no key is given. */
export function eventVerifierFrom(config: RewardServiceConfig): EventVerifier | undefined {
  return config.EVENT_VERIFY_KEYS ? new EventVerifier(parsePublicKeys(config.EVENT_VERIFY_KEYS).keys) : undefined;
}

/** Whether the consumer grants in batches: as told, else under inbox-tx (the only strategy with a batched form). */
export function grantsInBatches(config: Pick<RewardServiceConfig, 'REWARD_BATCH_GRANTS' | 'REWARD_STRATEGY'>): boolean {
  return config.REWARD_BATCH_GRANTS ?? config.REWARD_STRATEGY === 'inbox-tx';
}

/** Only inbox-tx has a batched form: refuse the pair at boot rather than quietly grant another way. */
function OnlyWithInboxTx() {
  return ValidateBy({
    name: 'onlyWithInboxTx',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        value !== true || (args?.object as RewardServiceConfig).REWARD_STRATEGY === 'inbox-tx',
      defaultMessage: () =>
        'REWARD_BATCH_GRANTS=true needs REWARD_STRATEGY=inbox-tx, the only strategy with a batched form',
    },
  });
}
