export * from './error-codes';
export * from './redpacket.error';
export * from './classify-error';
