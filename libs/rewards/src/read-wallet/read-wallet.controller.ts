import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { WalletNotFoundError } from './read-wallet.errors';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { assertOwnUser, CustomerGuard, CustomerId, ParseUserIdPipe } from '@redpacket/platform';
import { type RedPacketView, WalletQueries, type WalletView } from './wallet.queries';

/** A customer's own wallet and packets only: another user's id is 403. */
@ApiTags('wallets')
@ApiBearerAuth()
@UseGuards(CustomerGuard)
@Controller('users/:userId')
export class ReadWalletController {
  constructor(private readonly wallets: WalletQueries) {}

  @Get('wallet')
  async getWallet(
    @CustomerId() customerId: string,
    @Param('userId', ParseUserIdPipe) userId: string,
  ): Promise<WalletView> {
    assertOwnUser(customerId, userId);
    const wallet = await this.wallets.findWallet(userId);
    if (!wallet) throw new WalletNotFoundError(userId);
    return wallet;
  }

  @Get('red-packets')
  async listRedPackets(
    @CustomerId() customerId: string,
    @Param('userId', ParseUserIdPipe) userId: string,
  ): Promise<{ items: RedPacketView[] }> {
    assertOwnUser(customerId, userId);
    return { items: await this.wallets.listRedPackets(userId) };
  }
}
