import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ContractViolationError } from '../contract.errors';
import { EVENT_HEADERS, type HeaderValue, headerText } from '../event-headers';
import { ORDER_PURCHASED, OrderPurchasedV1 } from './order-purchased.v1';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Validates before trusting: anything that fails here is poison, never retried. */
export function parseOrderPurchased(value: Buffer | null, headers: Record<string, HeaderValue> = {}): OrderPurchasedV1 {
  const type = headerText(headers[EVENT_HEADERS.eventType]) ?? ORDER_PURCHASED;
  if (type !== ORDER_PURCHASED) throw new ContractViolationError('UNKNOWN_EVENT_TYPE', `unexpected event type ${type}`);
  const version = headerText(headers[EVENT_HEADERS.schemaVersion]) ?? '1';
  if (version !== '1') throw new ContractViolationError('UNKNOWN_SCHEMA_VERSION', `unknown schema version ${version}`);
  let text: string;
  try {
    // Buffer#toString would turn invalid bytes into U+FFFD and let a corrupted value through.
    text = STRICT_UTF8.decode(value ?? new Uint8Array());
  } catch {
    throw new ContractViolationError('INVALID_UTF8', 'value is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ContractViolationError('INVALID_JSON', `value is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ContractViolationError('CONTRACT_VIOLATION', 'value is not a JSON object');
  }
  const event = plainToInstance(OrderPurchasedV1, body);
  const errors = validateSync(event, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const details = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`).join('; ');
    throw new ContractViolationError('CONTRACT_VIOLATION', details);
  }
  return event;
}
