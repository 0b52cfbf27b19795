export * from './reconciliation.module';
export * from './reconciliation.options';
export * from './reconciliation.scheduler';
export * from './reissue-missing/reconciliation-run';
export * from './reissue-missing/reconciliation.errors';
export * from './reissue-missing/reissue-missing.service';
export * from './retention/retention.service';
