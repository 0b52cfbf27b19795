import { SignJWT } from 'jose';

/** Signs a customer token with the shared secret: for development tooling and tests, never production. */
export function signCustomerToken(
  options: { secret: string; issuer: string; audience: string },
  userId: string,
  ttlSeconds = 3_600,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1_000) + ttlSeconds)
    .sign(new TextEncoder().encode(options.secret));
}

/** The development secret `npm run system` and `npm run token` share when AUTH_JWT_SECRET is not set. */
export const DEVELOPMENT_CUSTOMER_TOKEN_SECRET = 'development-customer-token-secret-change-me';
export const CUSTOMER_TOKEN_ISSUER = 'redpacket';
export const CUSTOMER_TOKEN_AUDIENCE = 'redpacket-orders';
