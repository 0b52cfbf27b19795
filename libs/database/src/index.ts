export * from './data-source-options';
export * from './database.module';
export * from './migration-runner';
export * from './transaction-runner';
export * from './sql';
