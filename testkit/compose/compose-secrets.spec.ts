import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EventSigner,
  EventVerifier,
  generateEventKeyPair,
  parsePublicKeys,
  privateKeyFrom,
} from '@redpacket/contracts';
import { COMPOSE_SECRETS, COMPOSE_SIGNING_KEY_ID, withComposeSecrets } from './compose-secrets';

const compose = readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8');

describe('the compose secrets', () => {
  it('are exactly the variables docker-compose.yml refuses to start without', () => {
    const required = new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*):\?/g)].map(([, name]) => name));
    expect([...required].sort()).toEqual([...COMPOSE_SECRETS].sort());
  });

  it('have no default in docker-compose.yml', () => {
    const defaulted = [...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*(?:PASSWORD|TOKEN|SECRET|KEY)):?-/g)].map(([, n]) => n);
    expect(defaulted).toEqual([]);
  });

  it('are added to a .env that lacks them, random, and the values already there are kept', () => {
    const first = withComposeSecrets('# mine\nADMIN_READ_TOKEN=kept-token-value-0123456789\n');
    expect(first.added).toEqual(COMPOSE_SECRETS.filter((name) => name !== 'ADMIN_READ_TOKEN'));
    expect(first.text).toContain('ADMIN_READ_TOKEN=kept-token-value-0123456789');
    expect(first.text).toMatch(/^POSTGRES_PASSWORD=[0-9a-f]{48}$/m);
    const second = withComposeSecrets(first.text);
    expect(second).toEqual({ text: first.text, added: [] });
    expect(withComposeSecrets('').text).not.toContain(/POSTGRES_PASSWORD=([0-9a-f]{48})/.exec(first.text)?.[1]);
  });

  it('writes a signing key whose public half the reward service is given, also for a key already there', () => {
    const valueOf = (text: string, name: string) => new RegExp(`^${name}=(.+)$`, 'm').exec(text)?.[1] ?? '';
    const verifies = (text: string) => {
      const signer = new EventSigner(COMPOSE_SIGNING_KEY_ID, privateKeyFrom(valueOf(text, 'EVENT_SIGNING_KEY')));
      const message = { key: 'u', value: '{}', headers: {} };
      new EventVerifier(parsePublicKeys(valueOf(text, 'EVENT_VERIFY_KEYS')).keys).check({
        ...message,
        headers: signer.headersFor(message),
      });
      return true;
    };
    expect(verifies(withComposeSecrets('').text)).toBe(true);
    const kept = generateEventKeyPair(COMPOSE_SIGNING_KEY_ID).privateKey;
    const text = withComposeSecrets(`EVENT_SIGNING_KEY=${kept}\n`).text;
    expect(valueOf(text, 'EVENT_SIGNING_KEY')).toBe(kept);
    expect(verifies(text)).toBe(true);
  });
});
