export * from './health/health.module';
export * from './run-app';
export * from './http/validation';
export * from './http/redpacket-error.filter';
export * from './auth/admin-scope.guard';
export * from './health/readiness-check';
export * from './auth/customer-token';
export * from './auth/sign-customer-token';
