export * from './json-logger';
export * from './metrics/metrics';
export * from './metrics/metrics.module';
export * from './tracing/tracing';
