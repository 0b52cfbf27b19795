import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ParseUserIdPipe } from '@redpacket/platform';
import { type RedPacketView, WalletQueries, type WalletView } from './wallet.queries';

@ApiTags('wallets')
@Controller('users/:userId')
export class ReadWalletController {
  constructor(private readonly wallets: WalletQueries) {}

  @Get('wallet')
  async getWallet(@Param('userId', ParseUserIdPipe) userId: string): Promise<WalletView> {
    const wallet = await this.wallets.findWallet(userId);
    if (!wallet) throw new NotFoundException(`no wallet for user ${userId}`);
    return wallet;
  }

  @Get('red-packets')
  async listRedPackets(@Param('userId', ParseUserIdPipe) userId: string): Promise<{ items: RedPacketView[] }> {
    return { items: await this.wallets.listRedPackets(userId) };
  }
}
