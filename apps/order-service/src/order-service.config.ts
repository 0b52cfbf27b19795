import { type AdminScope, BaseConfig, RefusedInProduction, ToBoolean, ToInt, WithOutbox } from '@redpacket/config';
import { CUSTOMER_TOKEN_AUDIENCE, CUSTOMER_TOKEN_ISSUER } from '@redpacket/platform';
import type { OrderAdmissionOptions } from '@redpacket/ordering';
import { EventSigner, privateKeyFrom, privateKeyProblem } from '@redpacket/contracts';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';

export class OrderServiceConfig extends WithOutbox(BaseConfig) {
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

  /**
   * Where the identity provider publishes its signing keys (RS256, ES256 or EdDSA tokens). Over `http`
   * anyone on the path could hand out keys that sign any customer: production refuses it unless
   * AUTH_ALLOW_INSECURE_JWKS=true, which the app then says at boot.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['https', 'http'], require_protocol: true })
  @RefusedInProduction(
    (url, config: OrderServiceConfig) =>
      typeof url === 'string' && url.toLowerCase().startsWith('http:') && !config.AUTH_ALLOW_INSECURE_JWKS,
    'AUTH_JWKS_URL over http lets anyone on the path sign customers; use https (or AUTH_ALLOW_INSECURE_JWKS=true, logged at boot)',
  )
  AUTH_JWKS_URL?: string;

  /** The explicit override for an identity provider reached over plain http (a sidecar on loopback, say). */
  @ToBoolean()
  @IsBoolean()
  AUTH_ALLOW_INSECURE_JWKS = false;

  /** The `iss` claim a customer token must carry. */
  @IsString()
  @Matches(/^\S+$/)
  AUTH_JWT_ISSUER = CUSTOMER_TOKEN_ISSUER;

  /** The `aud` claim a customer token must carry. */
  @IsString()
  @Matches(/^\S+$/)
  AUTH_JWT_AUDIENCE = CUSTOMER_TOKEN_AUDIENCE;

  /** The explicit override for a production deployment without an identity provider (the compose file). */
  @ToBoolean()
  @IsBoolean()
  AUTH_ALLOW_SHARED_SECRET = false;

  /**
   * Orders of one customer in flight in this process, running or queued; one more is answered 429. A
   * customer's orders run one at a time (the customer's lock) and each one waiting for it holds a pooled
   * connection, so two let a client send an order while its last one finishes, at a cost of two of
   * DATABASE_POOL_SIZE connections. Below DATABASE_POOL_SIZE.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(199)
  @BelowPoolSize('one customer could hold every pooled connection')
  ORDER_MAX_IN_FLIGHT_PER_CUSTOMER = 2;

  /**
   * Orders running against the database at once in this process. By default the pool's connections
   * less the relay's (OUTBOX_PIPELINE_DEPTH, when it runs) and one more, for the readiness check and
   * reads: DATABASE_POOL_SIZE 10 runs 6 orders at once. Below DATABASE_POOL_SIZE.
   */
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(199)
  @BelowPoolSize('orders could hold every pooled connection, leaving none to the readiness check')
  ORDER_MAX_IN_FLIGHT?: number;

  /** Orders waiting for one of ORDER_MAX_IN_FLIGHT; one more is answered 503. Default 4 × DATABASE_POOL_SIZE. */
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(10_000)
  ORDER_MAX_QUEUED?: number;

  /** How long an order may wait in that queue before it is answered 503. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(60_000)
  ORDER_MAX_QUEUE_WAIT_MS = 1_000;

  /**
   * The Ed25519 private key (PKCS#8, PEM or base64 DER) the relay signs each OrderPurchased with; the
   * reward service verifies with its public half (EVENT_VERIFY_KEYS). Required in production: without it
   * whoever can write the topic writes orders that are paid.
   */
  @ValidateIf(
    (config: OrderServiceConfig) => config.EVENT_SIGNING_KEY !== undefined || config.NODE_ENV === 'production',
  )
  @IsString({
    message: 'EVENT_SIGNING_KEY is required in production: unsigned events are refused by the reward service',
  })
  @ValidateBy({
    name: 'ed25519PrivateKey',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && privateKeyProblem(value) === undefined,
      defaultMessage: (args?: ValidationArguments) => `EVENT_SIGNING_KEY is ${privateKeyProblem(String(args?.value))}`,
    },
  })
  EVENT_SIGNING_KEY?: string;

  /** The id of that key, sent with each signature so the verifier picks its public half (keys rotate). */
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'EVENT_SIGNING_KEY_ID must be 1-64 letters, digits, ".", "_" or "-"' })
  EVENT_SIGNING_KEY_ID = 'k1';

  override servedAdminScopes(): readonly AdminScope[] {
    return ['probes', 'read', 'metrics'];
  }
}

/** The relay's signer, or none outside production when no key is given. */
export function eventSignerFrom(config: OrderServiceConfig): EventSigner | undefined {
  if (!config.EVENT_SIGNING_KEY) return undefined;
  return new EventSigner(config.EVENT_SIGNING_KEY_ID, privateKeyFrom(config.EVENT_SIGNING_KEY));
}

/** A bound of requests that each hold a pooled connection must leave one connection free. */
function BelowPoolSize(otherwise: string) {
  return ValidateBy({
    name: 'belowPoolSize',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value !== 'number' || value < (args?.object as OrderServiceConfig).DATABASE_POOL_SIZE,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} (${String(args?.value)}) must be lower than DATABASE_POOL_SIZE (${String((args?.object as OrderServiceConfig).DATABASE_POOL_SIZE)}): ${otherwise}`,
    },
  });
}

/** The bounds on orders in flight, with the defaults that depend on the pool and the relay filled in. */
export function orderAdmissionOptions(config: OrderServiceConfig): OrderAdmissionOptions {
  const relayConnections = config.OUTBOX_RELAY_ENABLED ? config.OUTBOX_PIPELINE_DEPTH : 0;
  return {
    perCustomer: config.ORDER_MAX_IN_FLIGHT_PER_CUSTOMER,
    running: config.ORDER_MAX_IN_FLIGHT ?? Math.max(1, config.DATABASE_POOL_SIZE - relayConnections - 1),
    queued: config.ORDER_MAX_QUEUED ?? 4 * config.DATABASE_POOL_SIZE,
    maxQueueWaitMs: config.ORDER_MAX_QUEUE_WAIT_MS,
  };
}

export function customerAuthOptions(config: OrderServiceConfig) {
  return {
    secret: config.AUTH_JWT_SECRET,
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    sharedSecretInProduction: config.NODE_ENV === 'production' && config.AUTH_JWT_SECRET !== undefined,
    insecureJwksInProduction:
      config.NODE_ENV === 'production' && config.AUTH_JWKS_URL?.toLowerCase().startsWith('http:') === true,
  };
}
