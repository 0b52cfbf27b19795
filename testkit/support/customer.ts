import {
  CUSTOMER_TOKEN_AUDIENCE,
  CUSTOMER_TOKEN_ISSUER,
  DEVELOPMENT_CUSTOMER_TOKEN_SECRET,
  signCustomerToken,
} from '@redpacket/platform';

/** The secret the apps of this run verify customer tokens with (set by the jest global setup). */
export function customerTokenSecret(): string {
  return process.env.AUTH_JWT_SECRET ?? DEVELOPMENT_CUSTOMER_TOKEN_SECRET;
}

/** A valid token for `userId`, or one made wrong on purpose (expired, another key, another issuer). */
export function customerToken(
  userId: string,
  overrides: { ttlSeconds?: number; secret?: string; issuer?: string; audience?: string } = {},
): Promise<string> {
  return signCustomerToken(
    {
      secret: overrides.secret ?? customerTokenSecret(),
      issuer: overrides.issuer ?? CUSTOMER_TOKEN_ISSUER,
      audience: overrides.audience ?? CUSTOMER_TOKEN_AUDIENCE,
    },
    userId,
    overrides.ttlSeconds,
  );
}

/** The Authorization header of a request made as `userId`. */
export async function asCustomer(userId: string): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await customerToken(userId)}` };
}
