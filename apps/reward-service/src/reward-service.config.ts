import { BaseConfig } from '@redpacket/config';

export class RewardServiceConfig extends BaseConfig {}
