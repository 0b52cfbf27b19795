import { OutboxConfig, RefusedInProduction, ToBoolean, ToInt } from '@redpacket/config';
import { CUSTOMER_TOKEN_AUDIENCE, CUSTOMER_TOKEN_ISSUER } from '@redpacket/platform';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Length, Matches, Min, ValidateIf } from 'class-validator';

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

  /**
   * The HS256 secret customer tokens are signed with: development and tests (`npm run token` signs with
   * it). Production wants AUTH_JWKS_URL, the identity provider's keys.
   */
  @ValidateIf(
    (config: OrderServiceConfig) => config.AUTH_JWT_SECRET !== undefined || config.AUTH_JWKS_URL === undefined,
  )
  @IsString({ message: 'AUTH_JWT_SECRET or AUTH_JWKS_URL is required: customer requests carry a signed token' })
  @Length(32, 512, { message: 'AUTH_JWT_SECRET must be 32-512 characters' })
  @RefusedInProduction(
    (secret, config: OrderServiceConfig) => secret !== undefined && !config.AUTH_ALLOW_SHARED_SECRET,
    'AUTH_JWT_SECRET is a development key; give AUTH_JWKS_URL (or AUTH_ALLOW_SHARED_SECRET=true, logged at boot)',
  )
  AUTH_JWT_SECRET?: string;

  /** Where the identity provider publishes its signing keys (RS256, ES256 or EdDSA tokens). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['https', 'http'], require_protocol: true })
  AUTH_JWKS_URL?: string;

  @IsString()
  @Matches(/^\S+$/)
  AUTH_JWT_ISSUER = CUSTOMER_TOKEN_ISSUER;

  @IsString()
  @Matches(/^\S+$/)
  AUTH_JWT_AUDIENCE = CUSTOMER_TOKEN_AUDIENCE;

  /** The explicit override for a production deployment without an identity provider (the compose file). */
  @ToBoolean()
  @IsBoolean()
  AUTH_ALLOW_SHARED_SECRET = false;
}

export function customerAuthOptions(config: OrderServiceConfig) {
  return {
    secret: config.AUTH_JWT_SECRET,
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    sharedSecretInProduction: config.NODE_ENV === 'production' && config.AUTH_JWT_SECRET !== undefined,
  };
}
