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

/** Sets a login role's password; the value goes to the server as a literal quoted there, never into a log. */
export async function setRolePassword(url: string, role: string, password: string): Promise<void> {
  const dataSource = await new DataSource(
    postgresDataSourceOptions({ url, poolSize: 1, applicationName: 'redpacket-migrate' }),
  ).initialize();
  try {
    const [{ statement }] = await dataSource.query<{ statement: string }[]>(
      'SELECT format($$ALTER ROLE %I PASSWORD %L$$, $1::text, $2::text) AS statement',
      [role, password],
    );
    await dataSource.query(statement);
  } finally {
    await dataSource.destroy();
  }
}
