export * from './health/health.module';
export * from './run-app';
export * from './http/validation';
export * from './auth/admin-token.guard';
export * from './process/fatal';
export * from './health/readiness-check';
export * from './auth/customer-token';
export * from './auth/sign-customer-token';
