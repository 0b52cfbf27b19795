export * from './health/health.module';
export * from './run-app';
