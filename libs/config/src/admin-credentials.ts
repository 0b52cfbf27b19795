/**
 * Who may call which admin endpoint. Each credential has a name (recorded with what it changes), the
 * scopes it holds and its bearer token:
 *
 *   ADMIN_CREDENTIALS=ops-rules:rules:<token>,ops:reconcile+read:<token>,monitor:probes:<token>
 *
 * - `rules`: add a reward rule (POST /admin/reward-rules), on the reward service;
 * - `reconcile`: run a reconciliation and read its report, on the reconciler;
 * - `probes`: write latency probes (POST /admin/probes), on the order service; the monitor's own;
 * - `read`: read what names customers and amounts: order timelines, the rule timeline, health details;
 * - `metrics`: read the business counters: `/metrics` (Prometheus) and the monitor's snapshot.
 *
 * `ADMIN_TOKEN` is the development shortcut: one credential named `admin` holding every scope.
 */
export const ADMIN_SCOPES = ['rules', 'reconcile', 'probes', 'read', 'metrics'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

/** The route metadata naming the scope an endpoint takes (set by `RequiresAdminScope` and `/metrics`). */
export const ADMIN_SCOPE_METADATA = 'redpacket:admin-scope';

export interface AdminCredential {
  name: string;
  scopes: readonly AdminScope[];
  token: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The credentials the text lists and what is wrong with it (never quoting a token). */
export function parseAdminCredentials(text: string): { credentials: AdminCredential[]; problems: string[] } {
  const credentials: AdminCredential[] = [];
  const problems: string[] = [];
  text.split(',').forEach((entry, index) => {
    const [name = '', scopeList = '', ...rest] = entry.trim().split(':');
    const token = rest.join(':');
    const where = `entry ${index + 1}${NAME.test(name) ? ` (${name})` : ''}`;
    const scopes = scopeList.split('+').filter(Boolean);
    const unknown = scopes.filter((scope) => !(ADMIN_SCOPES as readonly string[]).includes(scope));
    const entryProblems = [
      ...(NAME.test(name) ? [] : ['its name must be 1-63 lower-case letters, digits, ".", "_" or "-"']),
      ...(scopes.length === 0 ? [`it names no scope (${ADMIN_SCOPES.join(', ')})`] : []),
      ...(unknown.length > 0 ? [`unknown scope(s) ${unknown.join(', ')}; known: ${ADMIN_SCOPES.join(', ')}`] : []),
      ...(token.length < 16 || token.length > 256 ? ['its token must be 16-256 characters'] : []),
      ...(credentials.some((other) => other.name === name) ? ['its name is used twice'] : []),
      ...(credentials.some((other) => other.token === token) ? ['its token is used twice'] : []),
    ];
    if (entryProblems.length > 0) problems.push(...entryProblems.map((problem) => `${where}: ${problem}`));
    else credentials.push({ name, scopes: scopes as AdminScope[], token });
  });
  return { credentials, problems };
}

/** Every credential an app accepts: ADMIN_CREDENTIALS, plus ADMIN_TOKEN as `admin` with every scope. */
export function adminCredentialsOf(config: { ADMIN_TOKEN?: string; ADMIN_CREDENTIALS?: string }): AdminCredential[] {
  const listed = config.ADMIN_CREDENTIALS ? parseAdminCredentials(config.ADMIN_CREDENTIALS).credentials : [];
  const shortcut = config.ADMIN_TOKEN ? [{ name: 'admin', scopes: ADMIN_SCOPES, token: config.ADMIN_TOKEN }] : [];
  return [...shortcut, ...listed];
}

/** The tokens inside an ADMIN_CREDENTIALS value: each one a secret of its own. */
export function adminCredentialTokens(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim().split(':').slice(2).join(':'))
    .filter(Boolean);
}
