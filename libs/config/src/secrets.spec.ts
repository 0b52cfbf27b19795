import { describeSetting, redactSecrets, redactUrl, redactValue, registerSecret, registerSecretsOf } from './secrets';

describe('secrets never printed', () => {
  it('describes a secret setting by its length only, and a URL without its password or path', () => {
    expect(describeSetting('ADMIN_TOKEN', 'tiny-token')).toBe('a secret of 10 characters');
    expect(describeSetting('RECONCILER_DATABASE_PASSWORD', 'x')).toBe('a secret of 1 characters');
    expect(describeSetting('DATABASE_URL', 'postgres://app:s3cret@db:5432/x')).toBe('"postgres://app:***@db:5432/…"');
    expect(describeSetting('PROBE_ALERT_WEBHOOK_URL', 'https://hooks.example.com/T0/B0/abc')).toBe(
      '"https://hooks.example.com/…"',
    );
    expect(describeSetting('LOG_LEVEL', 'loud')).toBe('"loud"');
    expect(describeSetting('HTTP_PORT', undefined)).toBe('nothing');
  });

  it('leaves what is not a URL alone', () => {
    expect(redactUrl('not a url')).toBeUndefined();
    expect(redactUrl('127.0.0.1:9092')).toBeUndefined();
  });

  it('takes registered secrets and URL passwords out of any text', () => {
    registerSecretsOf({
      ADMIN_TOKEN: 'registered-admin-token',
      DATABASE_URL: 'postgres://app:p%40ss-word@db/x',
      PROBE_ALERT_WEBHOOK_URL: 'https://hooks.example.com/T0/B0/webhook-path-secret',
    });
    registerSecret('short'); // too short to look for: it would take out ordinary words
    const line = JSON.stringify({
      message: 'failed: Bearer registered-admin-token rejected',
      url: 'https://hooks.example.com/T0/B0/webhook-path-secret',
      error: 'password p@ss-word refused for mysql://other:elsewhere@host/db',
      note: 'a short word',
    });
    const redacted = redactSecrets(line);
    for (const secret of ['registered-admin-token', 'webhook-path-secret', 'p@ss-word', 'elsewhere']) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain('mysql://other:***@host/db');
    expect(redacted).toContain('a short word');
  });

  it('takes secrets out of a record’s values before it is serialised, quotes and backslashes as they are', () => {
    const secret = 'value "level" \\secret\\ 7f3a';
    registerSecret(secret);
    const error = new Error(`connect failed with ${secret}`);
    const record = redactValue({
      text: `token ${secret} end`,
      nested: { list: ['plain', `a ${secret}`], when: new Date(0) },
      error,
    }) as { text: string; nested: { list: string[]; when: Date }; error: Error };
    expect(record.text).toBe('token [redacted] end');
    expect(record.nested.list).toEqual(['plain', 'a [redacted]']);
    expect(record.nested.when).toEqual(new Date(0));
    expect(record.error).toBeInstanceOf(Error);
    expect(record.error.message).toBe('connect failed with [redacted]');
    expect(record.error.stack).not.toContain(secret);
    expect(error.message).toContain(secret); // the caller's own error is left as it was
    expect(JSON.stringify(record)).not.toContain(JSON.stringify(secret).slice(1, -1));
  });
});
