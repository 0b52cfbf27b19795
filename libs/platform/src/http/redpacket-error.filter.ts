import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type ErrorCode, RedpacketError } from '@redpacket/errors';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';

/** The HTTP answer to each of the system's own errors an HTTP caller can meet; any other is a 500. */
export const HTTP_STATUS_OF_ERROR: Partial<Record<ErrorCode, number>> = {
  CUSTOMER_ORDERS_IN_FLIGHT: 429,
  ORDERS_OVERLOADED: 503,
  DATABASE_BUSY: 503,
  KAFKA_NOT_REACHED: 503,
  IDEMPOTENCY_KEY_IN_FLIGHT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  CUSTOMER_ORDERS_BUSY: 409,
  RECONCILIATION_ALREADY_RUNNING: 409,
  RECONCILIATION_RUN_NOT_FOUND: 404,
  AUTHENTICATION_REQUIRED: 401,
  ACCESS_REFUSED: 403,
  ORDER_NOT_FOUND: 404,
  WALLET_NOT_FOUND: 404,
};

/**
 * Answers the system's own errors (`RedpacketError`) over HTTP in the shape Nest gives its own
 * (`statusCode`, `error`, `message`), plus the stable `code`, and `Retry-After` when the error says when
 * the same request may succeed. Errors of other kinds keep Nest's handling.
 */
@Catch(RedpacketError)
export class RedpacketErrorFilter implements ExceptionFilter<RedpacketError> {
  private readonly logger = new Logger('ExceptionsHandler');

  catch(error: RedpacketError, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = HTTP_STATUS_OF_ERROR[error.code];
    if (status === undefined) {
      this.logger.error(error);
      this.send(reply, 500, { statusCode: 500, message: 'Internal server error' });
      return;
    }
    // A refusal caused by a foreign error (no database connection) is worth a line; a refusal by a rule is not.
    if (error.cause !== undefined)
      this.logger.warn(error.message, { code: error.code, cause: (error.cause as Error).message });
    if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
    this.send(reply, status, {
      statusCode: status,
      error: STATUS_CODES[status],
      message: error.message,
      code: error.code,
    });
  }

  private send(reply: FastifyReply, status: number, body: object): void {
    if (reply.sent) return;
    void reply.status(status).send(body);
  }
}
