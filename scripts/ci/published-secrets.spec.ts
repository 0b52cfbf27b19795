import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSecretSetting, PUBLISHED_SECRETS, unsafeSecret } from '@redpacket/config';
import { DEVELOPMENT_CUSTOMER_TOKEN_SECRET } from '@redpacket/platform';
import { DEVELOPMENT_CONTROLLER_USER, DEVELOPMENT_KAFKA_PASSWORDS } from '../../testkit/infra/kafka-users';
import { documentationFiles } from './markdown-links';

const REPO_ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/** A secret-named variable's value: `NAME=value` (.env, shell, README) or `${NAME:-value}` (compose). */
function secretValuesIn(text: string): { name: string; value: string }[] {
  const assignments = [...text.matchAll(/^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=([^\s'"`$]+)/gm)];
  const defaults = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*):?-([^}]+)\}/g)];
  const constants = [...text.matchAll(/const ([A-Z][A-Z0-9_]*) = '([^']+)'/g)];
  const urls = [...text.matchAll(/[a-z][\w+.-]*:\/\/[^\s:/@"'$]+:([^\s@/"'$]+)@/g)];
  // `***` and `<…>` are how the docs show a secret left out, not a secret.
  const placeholder = (value: string) => /^(\*+|<[^>]*>|…)$/.test(value);
  return [
    ...[...assignments, ...defaults, ...constants]
      .filter(([, name]) => isSecretSetting(name) || name === 'POSTGRES_PASSWORD')
      .map(([, name, value]) => ({ name, value })),
    ...urls.map(([, value]) => ({ name: 'a URL password', value })),
  ].filter(({ value }) => !placeholder(value));
}

describe('the secrets this repository publishes', () => {
  it.each([
    'docker-compose.yml',
    '.env.example',
    ...documentationFiles(REPO_ROOT),
    'testkit/support/reconciler.harness.ts',
    'testkit/infra/kafka-users.ts',
  ])('are all in the list that production refuses: %s', (file) => {
    const missing = secretValuesIn(read(file)).filter(({ value }) => !PUBLISHED_SECRETS.has(value));
    expect(missing).toEqual([]);
  });

  it("include the development broker's users and the development token secret", () => {
    const shipped = [
      ...Object.values(DEVELOPMENT_KAFKA_PASSWORDS),
      DEVELOPMENT_CONTROLLER_USER.password,
      DEVELOPMENT_CUSTOMER_TOKEN_SECRET,
    ];
    expect(shipped.filter((value) => !PUBLISHED_SECRETS.has(value))).toEqual([]);
  });

  it('refuse a published value, a short one and one of few characters; take a generated one', () => {
    expect(unsafeSecret('dev-admin-token-change-me')).toBe('a value this repository publishes');
    expect(unsafeSecret('s3cret-short')).toBe('shorter than 16 characters');
    expect(unsafeSecret('a'.repeat(40))).toBe('fewer than 6 different characters');
    expect(unsafeSecret('9f86d081884c7d659a2feaa0c55ad015')).toBeUndefined();
  });
});
