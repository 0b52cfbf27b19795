import { ValidateBy, type ValidationArguments } from 'class-validator';

interface WithEnvironment {
  NODE_ENV?: string;
}

/**
 * Refuses a value at boot when NODE_ENV=production and `isUnsafe` says so; the message says why. Every such
 * refusal lands in the one ConfigValidationError that lists all of a configuration's faults.
 */
export function RefusedInProduction<C extends object>(
  isUnsafe: (value: unknown, config: C) => boolean,
  why: string,
): PropertyDecorator {
  const validate = ValidateBy({
    name: 'refusedInProduction',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const config = args?.object as C & WithEnvironment;
        return config.NODE_ENV !== 'production' || !isUnsafe(value, config);
      },
      defaultMessage: (args?: ValidationArguments) =>
        `refused in production: ${why}`.replace('$property', args?.property ?? ''),
    },
  });
  return (target, property) => {
    const refusals = REFUSALS.get(target.constructor) ?? new Map<string, string>();
    refusals.set(String(property), why.replace('$property', String(property)));
    REFUSALS.set(target.constructor, refusals);
    validate(target, property);
  };
}

/** Why production refuses each setting, by the class that declares it: the configuration reference's column. */
const REFUSALS = new Map<unknown, Map<string, string>>();

/** Why production refuses a setting of `config` (a configuration class, its parents included), if it does. */
export function productionRefusalOf(config: object, property: string): string | undefined {
  for (let type: unknown = config; typeof type === 'function'; type = Object.getPrototypeOf(type)) {
    const why = REFUSALS.get(type)?.get(property);
    if (why !== undefined) return why;
  }
  return undefined;
}
