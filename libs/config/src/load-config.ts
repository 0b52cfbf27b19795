import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigValidationError } from './config.errors';
import { registerSecretsOf } from './secrets';

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
  if (errors.length > 0) throw ConfigValidationError.fromValidationErrors(errors);
  registerSecretsOf(config);
  return config;
}

/** `FOO=` in a shell means "unset", not "the empty string". */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}
