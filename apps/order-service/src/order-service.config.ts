import { OutboxConfig, RefusedInProduction, ToBoolean, ToInt } from '@redpacket/config';
import { IsBoolean, IsInt, Min } from 'class-validator';

export class OrderServiceConfig extends OutboxConfig {
  /** How long a key's stored response is replayed (the IETF draft and Stripe keep at least 24 h). */
  @ToInt()
  @IsInt()
  @Min(1)
  IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;

  /**
   * Only for the `version-in-message` comparison strategy: put the user's current wallet version into
   * each OrderPurchased event. Off in any real deployment.
   */
  @ToBoolean()
  @IsBoolean()
  @RefusedInProduction(
    (carries) => carries === true,
    'ORDER_EVENT_CARRIES_WALLET_VERSION exists only for the version-in-message comparison strategy',
  )
  ORDER_EVENT_CARRIES_WALLET_VERSION = false;
}
