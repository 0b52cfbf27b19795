import { adminCredentialsOf, adminCredentialTokens, parseAdminCredentials } from './admin-credentials';

const TOKEN_A = 'a'.repeat(8) + 'b'.repeat(8) + '0123';
const TOKEN_B = 'c'.repeat(10) + 'd'.repeat(10);

describe('admin credentials', () => {
  it('reads named credentials with their scopes and tokens', () => {
    expect(parseAdminCredentials(`ops:rules+read:${TOKEN_A}, monitor:probes:${TOKEN_B}`)).toEqual({
      credentials: [
        { name: 'ops', scopes: ['rules', 'read'], token: TOKEN_A },
        { name: 'monitor', scopes: ['probes'], token: TOKEN_B },
      ],
      problems: [],
    });
  });

  it('names every fault of every entry without quoting a token', () => {
    const { credentials, problems } = parseAdminCredentials(
      `Bad Name:read:${TOKEN_A},ops::${TOKEN_B},ops:write+read:short`,
    );
    expect(credentials).toEqual([]);
    expect(problems).toEqual([
      'entry 1: its name must be 1-63 lower-case letters, digits, ".", "_" or "-"',
      'entry 2 (ops): it names no scope (rules, reconcile, probes, read, metrics)',
      'entry 3 (ops): unknown scope(s) write; known: rules, reconcile, probes, read, metrics',
      'entry 3 (ops): its token must be 16-256 characters',
    ]);
    expect(problems.join('\n')).not.toContain(TOKEN_A);
  });

  it('refuses a name or a token used twice', () => {
    expect(parseAdminCredentials(`ops:read:${TOKEN_A},ops:rules:${TOKEN_B},other:read:${TOKEN_A}`).problems).toEqual([
      'entry 2 (ops): its name is used twice',
      'entry 3 (other): its token is used twice',
    ]);
  });

  it('takes ADMIN_TOKEN as `admin` holding every scope, beside the listed credentials', () => {
    expect(adminCredentialsOf({ ADMIN_TOKEN: TOKEN_A, ADMIN_CREDENTIALS: `monitor:probes:${TOKEN_B}` })).toEqual([
      { name: 'admin', scopes: ['rules', 'reconcile', 'probes', 'read', 'metrics'], token: TOKEN_A },
      { name: 'monitor', scopes: ['probes'], token: TOKEN_B },
    ]);
    expect(adminCredentialsOf({})).toEqual([]);
  });

  it('finds the tokens of a list, each a secret of its own', () => {
    expect(adminCredentialTokens(`ops:read:${TOKEN_A},monitor:probes:${TOKEN_B}`)).toEqual([TOKEN_A, TOKEN_B]);
  });
});
