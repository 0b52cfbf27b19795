import { USER_ID_PATTERN, USER_ID_RULE } from '@redpacket/contracts';
import {
  type ArgumentMetadata,
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

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** No request of this API nests deeper than a few levels; a deeper body is hostile or broken. */
export const MAX_BODY_DEPTH = 16;

/**
 * Problems no DTO rule can express: keys that could reach an object's prototype (class-transformer
 * would drop them silently), and nesting deep enough to exhaust the stack of a recursive validator.
 */
export function hostileBodyProblems(value: unknown, path = '', depth = 0): FieldError[] {
  if (value === null || typeof value !== 'object') return [];
  if (depth >= MAX_BODY_DEPTH)
    return [{ field: path || 'body', messages: [`nested deeper than ${MAX_BODY_DEPTH} levels`] }];
  return Object.keys(value).flatMap((key) => {
    const here = path ? `${path}.${key}` : key;
    const own = RESERVED_KEYS.has(key) ? [{ field: here, messages: [`property ${here} is not allowed`] }] : [];
    return [...own, ...hostileBodyProblems((value as Record<string, unknown>)[key], here, depth + 1)];
  });
}

class StrictValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const problems = hostileBodyProblems(value);
    if (problems.length > 0) throw validationFailed(problems);
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** Strict input: unknown fields are errors, types are never coerced (a "3" is not a 3). */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}

/** Path parameter `:userId`: letters, digits and `_.:@-`, at most 64 characters. */
@Injectable()
export class ParseUserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!USER_ID_PATTERN.test(value)) {
      throw validationFailed([{ field: 'userId', messages: [USER_ID_RULE] }]);
    }
    return value;
  }
}
