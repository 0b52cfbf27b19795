import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigValidationError } from './config.errors';
import { unsafeSecret } from './published-secrets';
import { registerSecretsOf, secretsOfSetting } from './secrets';

export type ConfigClass<T extends object> = new () => T;

/**
 * Builds a typed config object from environment variables and validates it.
 * Property names are the variable names, so an error names exactly what to fix.
 */
export function loadConfig<T extends object>(
  configClass: ConfigClass<T>,
  env: Record<string, string | undefined> = process.env,
): T {
  const config = plainToInstance(configClass, withoutEmptyValues(env), {
    enableImplicitConversion: false,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true });
  // A setting already refused (too short, say) is named once.
  const refused = new Set(errors.map((error) => error.property));
  const problems = [
    ...(errors.length > 0 ? ConfigValidationError.fromValidationErrors(errors).problems : []),
    ...unsafeProductionSecrets(config)
      .filter(({ name }) => !refused.has(name))
      .map(({ problem }) => problem),
  ];
  if (problems.length > 0) throw new ConfigValidationError(problems);
  registerSecretsOf(config);
  return config;
}

/**
 * In production, every secret of the configuration (a setting named …TOKEN, …SECRET, …PASSWORD or …KEY,
 * each token of a credential list, and the password inside a URL) must be none this repository
 * publishes, and not guessable.
 */
function unsafeProductionSecrets(config: object): { name: string; problem: string }[] {
  if ((config as { NODE_ENV?: unknown }).NODE_ENV !== 'production') return [];
  return Object.entries(config).flatMap(([name, value]) => {
    if (typeof value !== 'string') return [];
    const why = secretsOfSetting(name, value)
      .map(unsafeSecret)
      .find((problem) => problem !== undefined);
    if (why === undefined) return [];
    return [
      { name, problem: `${name}: refused in production: its secret is ${why}; make one with \`openssl rand -hex 32\`` },
    ];
  });
}

/** `FOO=` in a shell means "unset", not "the empty string". */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}
