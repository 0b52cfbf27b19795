import { RedpacketError } from '@redpacket/errors';

/** 401: the request carries no bearer token the endpoint accepts, or one that does not verify. */
export class AuthenticationRequiredError extends RedpacketError {
  readonly code = 'AUTHENTICATION_REQUIRED';
  readonly retriable = false;
}

/** 403: the caller is known, and may not do this (a token no credential has, a scope it lacks, another's data). */
export class AccessRefusedError extends RedpacketError {
  readonly code = 'ACCESS_REFUSED';
  readonly retriable = false;
}
