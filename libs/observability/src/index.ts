export * from './logging/logging';
export * from './metrics/metrics';
export * from './metrics/metrics.module';
export * from './tracing/tracing';
export * from './tracing/messaging-traces';
export * from './process/fatal';
