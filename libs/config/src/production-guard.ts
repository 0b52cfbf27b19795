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
  return ValidateBy({
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
}
