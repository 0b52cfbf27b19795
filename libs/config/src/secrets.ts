import { adminCredentialTokens } from './admin-credentials';

/**
 * Secrets never reach a log line or an error message. Three layers:
 * - a setting whose name says it is a secret (…TOKEN, …SECRET, …PASSWORD, …KEY, …CREDENTIALS) is never
 *   printed;
 * - a URL is printed without its password and without its path (a chat webhook's path is its secret);
 * - every secret value the configuration held is registered at boot, and the logger replaces any
 *   occurrence of one, wherever it appears in a line (an error message quoting a URL, say).
 */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|KEY|CREDENTIALS)$/;
const MIN_REGISTERED_LENGTH = 6;
const registered = new Set<string>();

export function isSecretSetting(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** `postgres://app:s3cret@db:5432/x` → `postgres://app:***@db:5432/…`; not a URL → undefined. */
export function redactUrl(value: string): string | undefined {
  const url = safeUrl(value);
  if (!url?.host) return undefined;
  const user = url.username ? `${url.username}${url.password ? ':***' : ''}@` : '';
  const path = url.pathname && url.pathname !== '/' ? '/…' : '';
  return `${url.protocol}//${user}${url.host}${path}`;
}

/** How a setting's value may appear in an error: secrets by length only, URLs redacted, the rest as JSON. */
export function describeSetting(name: string, value: unknown): string {
  if (value === undefined) return 'nothing';
  if (isSecretSetting(name)) return `a secret of ${typeof value === 'string' ? value.length : '?'} characters`;
  if (typeof value === 'string') return JSON.stringify(redactUrl(value) ?? value);
  return JSON.stringify(value);
}

/**
 * The secrets a setting holds: its whole value when its name says so, each token of a credential list,
 * the password inside a URL.
 */
export function secretsOfSetting(name: string, value: string): string[] {
  if (name.endsWith('CREDENTIALS')) return adminCredentialTokens(value);
  if (isSecretSetting(name)) return [value];
  const password = passwordInUrl(value);
  return password === undefined ? [] : [password];
}

/** Remembers the secret parts of a loaded configuration, so the logger can take them out of any line. */
export function registerSecretsOf(config: object): void {
  for (const [name, value] of Object.entries(config)) {
    if (typeof value !== 'string') continue;
    secretsOfSetting(name, value).forEach(registerSecret);
    const url = safeUrl(value);
    if (url && name.endsWith('WEBHOOK_URL')) registerSecret(url.pathname);
  }
}

export function registerSecret(value: string): void {
  if (value.length < MIN_REGISTERED_LENGTH) return;
  registered.add(value);
  // A log line is JSON: a secret holding `"`, `\` or a control character appears there escaped.
  registered.add(JSON.stringify(value).slice(1, -1));
}

/** The text with every registered secret, and every password inside a URL, replaced. */
export function redactSecrets(text: string): string {
  let redacted = text.replace(/([a-z][\w+.-]*:\/\/[^\s:/@"']+:)[^\s@/"']+@/gi, '$1***@');
  for (const secret of registered) redacted = redacted.split(secret).join('[redacted]');
  return redacted;
}

const MAX_REDACT_DEPTH = 6;

/**
 * A log record's value with every secret taken out of its strings, before it is serialised: strings,
 * arrays, plain objects and errors (message and stack), to a bounded depth. Other objects (a Buffer, a
 * Date) are left to their own serialisation, which the finished line's pass still covers.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_REDACT_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Error) {
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error;
    for (const [key, field] of Object.entries(value))
      (copy as unknown as Record<string, unknown>)[key] = redactValue(field, depth + 1);
    copy.message = redactSecrets(value.message);
    if (value.stack) copy.stack = redactSecrets(value.stack);
    return copy;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, redactValue(field, depth + 1)]));
}

/** The password inside a URL (`postgres://app:s3cret@db/x` → `s3cret`), or undefined. */
export function passwordInUrl(value: string): string | undefined {
  const password = safeUrl(value)?.password;
  return password ? decodeURIComponent(password) : undefined;
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
