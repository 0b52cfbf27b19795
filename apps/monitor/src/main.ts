import 'reflect-metadata';
import { runApp } from '@redpacket/platform';
import { MonitorConfig } from './monitor.config';
import { MonitorModule } from './monitor.module';

void runApp({ name: 'monitor', module: (config) => MonitorModule.register(config), config: MonitorConfig });
