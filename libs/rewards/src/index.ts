export * from './read-wallet/read-wallet.controller';
export * from './read-wallet/wallet.queries';
