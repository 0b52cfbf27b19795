import { BaseConfig } from '@redpacket/config';

export class ReconcilerConfig extends BaseConfig {}
