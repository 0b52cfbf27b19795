import { RedpacketError } from '@redpacket/errors';
import type { ValidationError } from 'class-validator';
import { describeSetting } from './secrets';

/** Thrown at boot: lists every bad variable at once so one restart fixes them all. */
export class ConfigValidationError extends RedpacketError {
  readonly code = 'CONFIG_INVALID';
  readonly retriable = false;

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }

  static fromValidationErrors(errors: ValidationError[]): ConfigValidationError {
    return new ConfigValidationError(
      errors.map(
        (error) =>
          `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')} (got ${describeSetting(error.property, error.value)})`,
      ),
    );
  }
}
