import {
  type CanActivate,
  createParamDecorator,
  type DynamicModule,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Module,
} from '@nestjs/common';
import { AccessRefusedError, AuthenticationRequiredError } from './auth.errors';
import { USER_ID_PATTERN } from '@redpacket/contracts';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyResult } from 'jose';
import { VerifiedTokens } from './verified-tokens';

export const CUSTOMER_AUTH = Symbol('CUSTOMER_AUTH');

/** How customer tokens are checked: a shared HS256 secret (development), or a JWKS URL (production). */
export interface CustomerAuthOptions {
  secret?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  /** A shared secret in production, allowed by an explicit override: said at boot. */
  sharedSecretInProduction?: boolean;
  /** A JWKS URL over http in production, allowed by an explicit override: said at boot. */
  insecureJwksInProduction?: boolean;
}

/** What a verified token says: the customer is its subject. */
export interface Customer {
  userId: string;
}

interface RequestWithCustomer {
  headers: Record<string, string | undefined>;
  customer?: Customer;
}

/**
 * `Authorization: Bearer <JWT>`, verified by jose: signature, `exp`/`nbf`, issuer and audience. The user id
 * is the token's `sub`, never anything in the body. No or broken header → 401; any failed check → 401 that
 * says which (expired, wrong signature, wrong issuer…), without echoing the token. A token that verified
 * is remembered until its `exp`, so a customer's later requests with it skip the signature check.
 */
@Injectable()
export class CustomerGuard implements CanActivate {
  private readonly verify: (token: string) => Promise<JWTVerifyResult>;
  private readonly verified = new VerifiedTokens();

  constructor(@Inject(CUSTOMER_AUTH) options: CustomerAuthOptions) {
    const checks = { issuer: options.issuer, audience: options.audience, requiredClaims: ['sub', 'exp'] };
    if (options.jwksUrl) {
      if (options.insecureJwksInProduction) {
        new Logger(CustomerGuard.name).warn('AUTH_ALLOW_INSECURE_JWKS: customer-token keys are fetched over http');
      }
      const keys = createRemoteJWKSet(new URL(options.jwksUrl));
      this.verify = (token) => jwtVerify(token, keys, { ...checks, algorithms: ['RS256', 'ES256', 'EdDSA'] });
    } else if (options.secret) {
      if (options.sharedSecretInProduction) {
        new Logger(CustomerGuard.name).warn(
          'AUTH_ALLOW_SHARED_SECRET: customer tokens are checked with a shared secret',
        );
      }
      const secret = new TextEncoder().encode(options.secret);
      this.verify = (token) => jwtVerify(token, secret, { ...checks, algorithms: ['HS256'] });
    } else {
      throw new Error('customer authentication needs a JWKS URL or a shared secret');
    }
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithCustomer>();
    const match = request.headers.authorization ? /^Bearer (\S+)$/.exec(request.headers.authorization) : null;
    if (!match) throw new AuthenticationRequiredError('a customer bearer token is required');
    request.customer = { userId: await this.subjectOf(match[1]) };
    return true;
  }

  private async subjectOf(token: string): Promise<string> {
    const known = this.verified.subjectOf(token);
    if (known !== undefined) return known;
    try {
      const { payload } = await this.verify(token);
      if (typeof payload.sub !== 'string' || !USER_ID_PATTERN.test(payload.sub)) {
        throw new AuthenticationRequiredError('the token subject is not a user id');
      }
      this.verified.remember(token, payload.sub, payload);
      return payload.sub;
    } catch (error) {
      if (error instanceof AuthenticationRequiredError) throw error;
      throw new AuthenticationRequiredError(reasonOf(error));
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm not accepted';
  return 'the token is not a valid JWT';
}

/** The verified customer of a request behind `CustomerGuard`. */
export const CustomerId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const customer = context.switchToHttp().getRequest<RequestWithCustomer>().customer;
  if (!customer) throw new AuthenticationRequiredError('a customer bearer token is required');
  return customer.userId;
});

/** A customer reads only their own things: another user's id in the path is 403. */
export function assertOwnUser(customerId: string, userId: string): void {
  if (customerId !== userId) throw new AccessRefusedError('a customer may read only their own orders and wallet');
}

/** Customer authentication for every controller of the app: `@UseGuards(CustomerGuard)`. */
@Module({})
export class CustomerAuthModule {
  static forRoot(options: CustomerAuthOptions): DynamicModule {
    return {
      module: CustomerAuthModule,
      global: true,
      providers: [{ provide: CUSTOMER_AUTH, useValue: options }, CustomerGuard],
      exports: [CUSTOMER_AUTH, CustomerGuard],
    };
  }
}
