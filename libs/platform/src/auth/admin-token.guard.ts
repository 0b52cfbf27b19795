import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

/** Compares digests, so the time taken says nothing about how much of the token matched. */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `Authorization: Bearer <token>`. No header → 401; a wrong token → 403.
 * Without a configured token (allowed outside production) every admin call is refused.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(ADMIN_TOKEN) private readonly token: string | undefined) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const header = request.headers.authorization;
    const match = header ? /^Bearer (\S+)$/.exec(header) : null;
    if (!match) throw new UnauthorizedException('an admin bearer token is required');
    if (!this.token || !tokensMatch(match[1], this.token)) throw new ForbiddenException('invalid admin token');
    return true;
  }
}
