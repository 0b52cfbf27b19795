import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Infrastructure } from '../../testkit/infra/infra.types';
import { readPidFile } from '../../testkit/infra/process-utils';
import { localStateDir } from '../../testkit/infra/provision';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
}

export interface Versions {
  node: string;
  kafka: string;
  kafkajs: string;
  postgres: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform} ${process.arch}`,
  };
}

export async function versions(dataSource: DataSource, infra: Infrastructure): Promise<Versions> {
  const [row] = await dataSource.query<{ server_version: string }[]>('SHOW server_version');
  return {
    node: process.version,
    kafka: kafkaVersion(infra),
    kafkajs: packageVersion('kafkajs'),
    postgres: row.server_version,
  };
}

/**
 * Kafka's protocol does not report the broker version; a broker started from the jars
 * (testkit/infra) has it in its class path, e.g. .infra/cache/kafka-3.9.1/libs.
 */
function kafkaVersion(infra: Infrastructure): string {
  const pid = readPidFile(join(localStateDir(), 'kafka-1', 'kafka.pid'));
  try {
    const commandLine = pid ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
    const match = /kafka[-_](?:\d+\.\d+-)?(\d+\.\d+\.\d+)/.exec(commandLine);
    if (match) return match[1];
  } catch {
    // The broker is not a local process of ours (containers or external): say so below.
  }
  return `unknown (${infra.mode} broker)`;
}

function packageVersion(name: string): string {
  const file = join(__dirname, '..', '..', 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
