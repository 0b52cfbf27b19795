import { DataSource } from 'typeorm';
import { postgresDataSourceOptions } from './data-source-options';

export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = await new DataSource(
    postgresDataSourceOptions({ url, poolSize: 1, applicationName: 'redpacket-migrate' }),
  ).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

export async function revertLastMigration(url: string): Promise<void> {
  const dataSource = await new DataSource(
    postgresDataSourceOptions({ url, poolSize: 1, applicationName: 'redpacket-migrate' }),
  ).initialize();
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
