import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// The two modules it needs, not their packages' index: those load NestJS and the rest, seconds per token.
import { USER_ID_PATTERN, USER_ID_RULE } from '../libs/contracts/src/order-purchased/order-limits';
import {
  CUSTOMER_TOKEN_AUDIENCE,
  CUSTOMER_TOKEN_ISSUER,
  DEVELOPMENT_CUSTOMER_TOKEN_SECRET,
  signCustomerToken,
} from '../libs/platform/src/auth/sign-customer-token';

const USAGE = 'usage: npm run token -- <userId> [--ttl SECONDS]';

/**
 * Prints a customer token for a user id, signed with AUTH_JWT_SECRET (from the environment, else the
 * compose stack's `.env`, else the development secret that `npm run system` also uses): `curl -H "authorization: Bearer $(npm run -s token -- user-42)" …`.
 * Refused with NODE_ENV=production, where tokens come from the identity provider.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { ttl: { type: 'string' } } });
  const [userId] = positionals;
  if (!userId || !USER_ID_PATTERN.test(userId))
    throw new Error(`${userId ? USER_ID_RULE : 'a user id is needed'}\n${USAGE}`);
  if (process.env.NODE_ENV === 'production') throw new Error('npm run token signs development tokens only');
  const ttl = Number(values.ttl ?? 3_600);
  if (!Number.isInteger(ttl) || ttl < 1) throw new Error(`--ttl must be a positive number of seconds\n${USAGE}`);
  const token = await signCustomerToken(
    {
      secret: process.env.AUTH_JWT_SECRET || composeSecret() || DEVELOPMENT_CUSTOMER_TOKEN_SECRET,
      issuer: process.env.AUTH_JWT_ISSUER || CUSTOMER_TOKEN_ISSUER,
      audience: process.env.AUTH_JWT_AUDIENCE || CUSTOMER_TOKEN_AUDIENCE,
    },
    userId,
    ttl,
  );
  console.log(token);
}

/** The compose stack's customer-token secret, from the `.env` `npm run compose:env` wrote, if there is one. */
function composeSecret(): string | undefined {
  const file = join(__dirname, '..', '.env');
  if (!existsSync(file)) return undefined;
  return /^AUTH_JWT_SECRET=(\S+)$/m.exec(readFileSync(file, 'utf8'))?.[1];
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(2);
});
