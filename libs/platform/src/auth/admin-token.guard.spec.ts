import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { AdminTokenGuard, tokensMatch } from './admin-token.guard';

const contextWith = (authorization?: string) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ headers: { authorization } }) }) }) as unknown as ExecutionContext;

describe('AdminTokenGuard', () => {
  const guard = new AdminTokenGuard('s3cret-admin-token-value');

  it('lets the right bearer token through', () => {
    expect(guard.canActivate(contextWith('Bearer s3cret-admin-token-value'))).toBe(true);
  });

  it('answers 401 without a bearer token and 403 with a wrong one', () => {
    expect(() => guard.canActivate(contextWith())).toThrow(UnauthorizedException);
    expect(() => guard.canActivate(contextWith('Basic abc'))).toThrow(UnauthorizedException);
    expect(() => guard.canActivate(contextWith('Bearer s3cret'))).toThrow(ForbiddenException);
  });

  it('refuses everyone when no token is configured', () => {
    expect(() => new AdminTokenGuard(undefined).canActivate(contextWith('Bearer anything'))).toThrow(
      ForbiddenException,
    );
  });

  it('compares tokens of any length', () => {
    expect(tokensMatch('a', 'a')).toBe(true);
    expect(tokensMatch('a', 'ab')).toBe(false);
  });
});
