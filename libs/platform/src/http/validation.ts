import {
  BadRequestException,
  type PipeTransform,
  Injectable,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';

export interface FieldError {
  field: string;
  messages: string[];
}

/** Nested class-validator errors as one flat entry per bad field, e.g. `items.2.quantity`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationFailed(errors: FieldError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Validation failed', errors });
}

/** Strict input: unknown fields are errors, types are never coerced (a "3" is not a 3). */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}

export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;

/** Path parameter `:userId`: letters, digits and `_.:@-`, at most 64 characters. */
@Injectable()
export class ParseUserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!USER_ID_PATTERN.test(value)) {
      throw validationFailed([{ field: 'userId', messages: ['userId must be 1-64 characters of [A-Za-z0-9_.:@-]'] }]);
    }
    return value;
  }
}
