import { ConflictException, UnprocessableEntityException } from '@nestjs/common';

/** 409: a request with this key is still being processed; retry later for the stored response. */
export class IdempotencyKeyInFlightError extends ConflictException {
  readonly code = 'IDEMPOTENCY_KEY_IN_FLIGHT';
  readonly retriable = true;

  constructor() {
    super({ statusCode: 409, error: 'Conflict', message: 'A request with this Idempotency-Key is in progress' });
  }
}

/** 422: the key was already used with a different request body. */
export class IdempotencyKeyReusedError extends UnprocessableEntityException {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly retriable = false;

  constructor() {
    super({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'This Idempotency-Key was already used with a different request body',
    });
  }
}
