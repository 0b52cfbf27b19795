/** A message that can never be processed, however often it is retried: it goes to the dead-letter topic. */
export class ContractViolationError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: 'INVALID_JSON' | 'CONTRACT_VIOLATION' | 'UNKNOWN_SCHEMA_VERSION' | 'UNKNOWN_EVENT_TYPE',
    message: string,
  ) {
    super(message);
    this.name = 'ContractViolationError';
  }
}
