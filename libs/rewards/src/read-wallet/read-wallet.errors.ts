import { RedpacketError } from '@redpacket/errors';

/** 404: the user has no wallet yet (no packet was ever granted to them). */
export class WalletNotFoundError extends RedpacketError {
  readonly code = 'WALLET_NOT_FOUND';
  readonly retriable = false;

  constructor(userId: string) {
    super(`no wallet for user ${userId}`);
  }
}
