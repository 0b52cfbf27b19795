import { BaseConfig } from '@redpacket/config';

export class MonitorConfig extends BaseConfig {}
