export * from './base.config';
export * from './config.errors';
export * from './config.module';
export * from './env-transforms';
export * from './load-config';
export * from './outbox.config';
export * from './secrets';
export * from './production-guard';
