import { ConfigValidationError, loadConfig } from '@redpacket/config';
import { revertLastMigration, runMigrations } from '@redpacket/database';
import { IsString, Matches } from 'class-validator';

class MigrationConfig {
  @IsString()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;
}

/** `migrate run` applies pending migrations; `migrate revert` undoes the last one. */
async function main(command: string | undefined): Promise<void> {
  const { DATABASE_URL } = loadConfig(MigrationConfig);
  if (command === 'run') {
    const applied = await runMigrations(DATABASE_URL);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  } else if (command === 'revert') {
    await revertLastMigration(DATABASE_URL);
    console.log('reverted the last migration');
  } else {
    console.error('usage: migrate <run|revert>');
    process.exitCode = 2;
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof ConfigValidationError ? error.message : error);
  process.exit(1);
});
