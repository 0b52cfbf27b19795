import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createValidationPipe } from '@redpacket/platform';

/** 64 KiB is ample for 100 order lines and refuses oversized bodies with 413 before parsing. */
export const ORDER_BODY_LIMIT_BYTES = 64 * 1024;

/** Strict validation and OpenAPI at /docs. Shared by main.ts and the tests that boot the app. */
export function configureOrderService(app: NestFastifyApplication): void {
  app.useGlobalPipes(createValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('redpacket order service')
      .setDescription('Places orders exactly once per Idempotency-Key and publishes OrderPurchased through an outbox')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
