import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** Long statements are cut: the line says which statement failed, not all of it. */
const STATEMENT_CHARS = 200;

/**
 * TypeORM's lines through the app's logger (pino, with its redaction), never through the console:
 * a failed query is logged with its statement and the error, never its parameters (they hold the
 * orders' and customers' values); the pool's errors (Postgres cutting connections) are warnings.
 */
export class TypeOrmThroughAppLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    this.logger.warn('query failed', {
      statement: statementOf(query),
      error: typeof error === 'string' ? error : error.message,
    });
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn('slow query', { statement: statementOf(query), ms: time });
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

function statementOf(query: string): string {
  const oneLine = query.replace(/\s+/g, ' ').trim();
  return oneLine.length > STATEMENT_CHARS ? `${oneLine.slice(0, STATEMENT_CHARS)}…` : oneLine;
}
