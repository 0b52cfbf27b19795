/**
 * Every secret value this repository publishes: the defaults of the compose file and `.env.example` as
 * they were shipped, the development users of the broker started from the jars (`testkit/infra`), the
 * development customer-token secret, the tests' tokens. Anyone can read them, so production refuses each
 * (`published-secrets.spec.ts` checks that the list covers every such value in those files).
 */
export const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([
  // docker-compose.yml and .env.example, as shipped until they stopped holding defaults
  'dev-admin-token-change-me',
  'postgres',
  'development-customer-token-secret-change-me',
  'reconciler-dev-password',
  'kafka-admin-dev-password',
  'kafka-controller-dev-password',
  'order-service-kafka-dev-password',
  'reward-service-kafka-dev-password',
  'monitor-kafka-dev-password',
  'reconciler-kafka-dev-password',
  // testkit/infra/kafka-users.ts: the broker started from the jars
  'redpacket-admin-development-password',
  'order-service-development-password',
  'reward-service-development-password',
  'monitor-development-password',
  'reconciler-development-password',
  'controller-development-password',
  // the tests
  'test-admin-token-0123456789',
]);

/** Below this many characters a secret is guessable, whatever it is. */
export const MIN_SECRET_LENGTH = 16;

/** Why `value` may not be a production secret, or undefined when it may. */
export function unsafeSecret(value: string): string | undefined {
  if (PUBLISHED_SECRETS.has(value)) return 'a value this repository publishes';
  if (value.length < MIN_SECRET_LENGTH) return `shorter than ${MIN_SECRET_LENGTH} characters`;
  if (new Set(value).size < 6) return 'fewer than 6 different characters';
  return undefined;
}
