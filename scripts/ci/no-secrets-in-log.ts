import { readFileSync } from 'node:fs';
import { TEST_ADMIN_TOKEN } from '../../testkit/support/reconciler.harness';
import { DEVELOPMENT_CONTROLLER_USER, DEVELOPMENT_KAFKA_PASSWORDS } from '../../testkit/infra/kafka-users';

/**
 * `.ci/run` keeps the test suite's whole output and hands it here: the run's secrets (the admin token every
 * test app gets, the customer-token secret of the run, the Kafka users' passwords) must not appear in it
 * anywhere. Exit 1 if one does.
 */
function main(logFile: string | undefined): number {
  if (!logFile) {
    console.error('usage: no-secrets-in-log <test-output-file>');
    return 2;
  }
  const output = readFileSync(logFile, 'utf8');
  const secrets: Record<string, string | undefined> = {
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET,
    // Every app and helper signs in to the test brokers with these.
    ...Object.fromEntries(
      Object.entries(DEVELOPMENT_KAFKA_PASSWORDS).map(([user, password]) => [`Kafka password of ${user}`, password]),
    ),
    'Kafka controller password': DEVELOPMENT_CONTROLLER_USER.password,
  };
  const leaked = Object.entries(secrets).filter(([, value]) => value && output.includes(value));
  for (const [name, value] of leaked) {
    console.error(`${name} appears ${output.split(value ?? '').length - 1} time(s) in ${logFile}`);
  }
  if (leaked.length === 0) {
    console.log(`no test secret in ${logFile} (${output.length} characters, ${Object.keys(secrets).join(', ')})`);
  }
  return leaked.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv[2]);
