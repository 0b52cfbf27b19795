import { IsBoolean, IsOptional, IsString, Length, ValidateBy, type ValidationArguments } from 'class-validator';
import { type AdminScope, parseAdminCredentials } from './admin-credentials';
import type { AppSettings } from './app.settings';
import type { ConfigConstructor } from './config-constructor';
import { ToBoolean } from './env-transforms';
import { RefusedInProduction } from './production-guard';

/** Adds who may call the admin endpoints and `/metrics`, and which scopes this app serves. */
export function WithAdmin<Base extends ConfigConstructor<AppSettings>>(base: Base) {
  class AdminSettings extends base {
    /**
     * The development shortcut: one bearer token holding every admin scope (named `admin`). Refused in
     * production, where each holder gets an ADMIN_CREDENTIALS entry with only the scopes it needs.
     */
    @IsOptional()
    @IsString()
    @Length(16, 256, { message: 'ADMIN_TOKEN must be 16-256 characters' })
    @RefusedInProduction(
      () => true,
      'ADMIN_TOKEN holds every admin scope; give each holder an ADMIN_CREDENTIALS entry with its own scopes',
    )
    ADMIN_TOKEN?: string;

    /**
     * Named, scoped admin credentials, `name:scope+scope:token` separated by commas (see
     * admin-credentials.ts). Without any, admin calls are refused and health answers status only. In
     * production an app refuses an entry holding a scope it does not serve: a token kept where it is not
     * used is one more place to steal it from.
     */
    @IsOptional()
    @IsString()
    @ValidateBy({
      name: 'adminCredentials',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          credentialProblems(String(value), args?.object as AdminSettings).length === 0,
        defaultMessage: (args?: ValidationArguments) =>
          credentialProblems(String(args?.value), args?.object as AdminSettings).join('; '),
      },
    })
    ADMIN_CREDENTIALS?: string;

    /**
     * `/metrics` answers without a token: only for a scraper on a network nobody else reaches. Otherwise it
     * takes a credential holding the `metrics` scope, as the monitor's snapshot does.
     */
    @ToBoolean()
    @IsBoolean()
    METRICS_PUBLIC = false;

    /** The admin scopes this app's endpoints check; each app names its own. */
    servedAdminScopes(): readonly AdminScope[] {
      return ['read', 'metrics'];
    }
  }
  return AdminSettings;
}

interface CredentialContext {
  NODE_ENV: AppSettings['NODE_ENV'];
  servedAdminScopes(): readonly AdminScope[];
}

function credentialProblems(text: string, config: CredentialContext): string[] {
  const { credentials, problems } = parseAdminCredentials(text);
  if (config.NODE_ENV !== 'production') return problems;
  const served = config.servedAdminScopes();
  const stray = credentials.flatMap(({ name, scopes }) =>
    scopes
      .filter((scope) => !served.includes(scope))
      .map((scope) => `${name}: refused in production: this app does not serve the ${scope} scope`),
  );
  return [...problems, ...stray];
}
