import { Controller, Get, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BaseConfig } from '@redpacket/config';
import { AdminScopeGuard, RequiresAdminScope, tokensMatch } from './admin-scope.guard';
import { AccessRefusedError, AuthenticationRequiredError } from './auth.errors';

@Controller()
class Endpoints {
  @Get()
  @RequiresAdminScope('rules')
  change(): void {}
}

const RULES_TOKEN = 'rules-token-0123456789';
const READ_TOKEN = 'read-token-0123456789';

function guardFor(credentials: Partial<BaseConfig>): AdminScopeGuard {
  return new AdminScopeGuard(Object.assign(new BaseConfig(), credentials), new Reflector());
}

function contextWith(authorization?: string): { context: ExecutionContext; request: Record<string, unknown> } {
  const request = { headers: { authorization } };
  const context = {
    getHandler: () => Endpoints.prototype.change,
    getClass: () => Endpoints,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

describe('AdminScopeGuard', () => {
  const guard = guardFor({ ADMIN_CREDENTIALS: `ops:rules:${RULES_TOKEN},viewer:read:${READ_TOKEN}` });

  it('lets a credential holding the scope through, and remembers who it was', () => {
    const { context, request } = contextWith(`Bearer ${RULES_TOKEN}`);
    expect(guard.canActivate(context)).toBe(true);
    expect(request.adminCredential).toMatchObject({ name: 'ops' });
  });

  it('answers 403 naming the scope to a credential without it', () => {
    expect(() => guard.canActivate(contextWith(`Bearer ${READ_TOKEN}`).context)).toThrow(
      new AccessRefusedError('the credential viewer does not hold the rules scope'),
    );
  });

  it('answers 401 without a bearer token and 403 with a token nobody holds', () => {
    expect(() => guard.canActivate(contextWith().context)).toThrow(AuthenticationRequiredError);
    expect(() => guard.canActivate(contextWith('Basic abc').context)).toThrow(AuthenticationRequiredError);
    expect(() => guard.canActivate(contextWith('Bearer rules-token').context)).toThrow(
      new AccessRefusedError('invalid admin token'),
    );
  });

  it('refuses everyone when no credential is configured', () => {
    expect(() => guardFor({}).canActivate(contextWith(`Bearer ${RULES_TOKEN}`).context)).toThrow(AccessRefusedError);
  });

  it('takes ADMIN_TOKEN as every scope', () => {
    expect(guardFor({ ADMIN_TOKEN: RULES_TOKEN }).canActivate(contextWith(`Bearer ${RULES_TOKEN}`).context)).toBe(true);
  });

  it('compares tokens of any length', () => {
    expect(tokensMatch('a', 'a')).toBe(true);
    expect(tokensMatch('a', 'ab')).toBe(false);
  });
});
