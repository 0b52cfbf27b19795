import { createHash, timingSafeEqual } from 'node:crypto';
import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
} from '@nestjs/common';
import { AccessRefusedError, AuthenticationRequiredError } from './auth.errors';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import {
  ADMIN_SCOPE_METADATA,
  type AdminCredential,
  adminCredentialsOf,
  type AdminScope,
  BaseConfig,
} from '@redpacket/config';

interface AdminRequest {
  headers: Record<string, string | undefined>;
  adminCredential?: AdminCredential;
}

/** Compares digests, so the time taken says nothing about how much of the token matched. */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The credential whose token the `Authorization: Bearer …` header presents, if any. */
export function presentedCredential(
  credentials: readonly AdminCredential[],
  authorization: string | undefined,
): AdminCredential | undefined {
  const presented = authorization ? /^Bearer (\S+)$/.exec(authorization)?.[1] : undefined;
  if (!presented) return undefined;
  // Every token is compared, so the time taken does not say which one matched.
  return credentials.reduce<AdminCredential | undefined>(
    (found, credential) => (tokensMatch(presented, credential.token) ? credential : found),
    undefined,
  );
}

/**
 * Every app's guard (registered for all routes by `createApp`): an endpoint that names a scope takes
 * `Authorization: Bearer <token>` of a credential holding it (ADMIN_CREDENTIALS, or ADMIN_TOKEN outside
 * production). No header → 401; a token no credential has → 403; a credential without the scope → 403
 * naming the scope. Without credentials every such call is refused. Endpoints naming no scope are
 * public; `/metrics` is too with METRICS_PUBLIC.
 */
@Injectable()
export class AdminScopeGuard implements CanActivate {
  private readonly credentials: AdminCredential[];
  private readonly metricsPublic: boolean;

  constructor(
    // Optional: an app built without the config module (a test's) has no admin endpoint to open.
    @Optional() @Inject(BaseConfig) config: BaseConfig | undefined,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    this.credentials = config ? adminCredentialsOf(config) : [];
    this.metricsPublic = config?.METRICS_PUBLIC ?? false;
  }

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.getAllAndOverride<AdminScope | undefined>(ADMIN_SCOPE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (scope === undefined || (scope === 'metrics' && this.metricsPublic)) return true;
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const header = request.headers.authorization;
    if (!header || !/^Bearer \S+$/.test(header))
      throw new AuthenticationRequiredError('an admin bearer token is required');
    const credential = presentedCredential(this.credentials, header);
    if (!credential) throw new AccessRefusedError('invalid admin token');
    if (!credential.scopes.includes(scope)) {
      throw new AccessRefusedError(`the credential ${credential.name} does not hold the ${scope} scope`);
    }
    request.adminCredential = credential;
    return true;
  }
}

/** The endpoint (or every endpoint of the controller) takes a credential holding `scope`. */
export function RequiresAdminScope(scope: AdminScope): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ADMIN_SCOPE_METADATA, scope), ApiBearerAuth());
}

/** The name of the credential the request was let in with: who made a change. */
export const AdminCaller = createParamDecorator(
  (_: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<AdminRequest>().adminCredential?.name ?? 'unknown',
);
