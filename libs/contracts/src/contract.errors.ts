import { RedpacketError } from '@redpacket/errors';

export type ContractViolationCode =
  | 'INVALID_JSON'
  | 'INVALID_UTF8'
  | 'INVALID_PROBE'
  | 'CONTRACT_VIOLATION'
  | 'UNKNOWN_SCHEMA_VERSION'
  | 'UNKNOWN_EVENT_TYPE'
  | 'INVALID_SIGNATURE';

/** A message that can never be processed, however often it is retried: it goes to the dead-letter topic. */
export class ContractViolationError extends RedpacketError {
  readonly retriable = false;

  constructor(
    readonly code: ContractViolationCode,
    message: string,
  ) {
    super(message);
  }
}
