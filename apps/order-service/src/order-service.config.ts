import { BaseConfig } from '@redpacket/config';

export class OrderServiceConfig extends BaseConfig {}
