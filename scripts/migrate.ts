import { ConfigValidationError, loadConfig } from '@redpacket/config';
import { revertLastMigration, runMigrations, setRolePassword } from '@redpacket/database';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

class MigrationConfig {
  @IsString()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;

  /**
   * The password of the reconciler's login role (`redpacket_reconciler`, created by the migrations). Set on
   * every run when given; a server that trusts local connections needs none.
   */
  @IsOptional()
  @IsString()
  @Length(12, 256, { message: 'RECONCILER_DATABASE_PASSWORD must be 12-256 characters' })
  RECONCILER_DATABASE_PASSWORD?: string;
}

/** `migrate run` applies pending migrations; `migrate revert` undoes the last one. */
async function main(command: string | undefined): Promise<void> {
  const { DATABASE_URL, RECONCILER_DATABASE_PASSWORD } = loadConfig(MigrationConfig);
  if (command === 'run') {
    const applied = await runMigrations(DATABASE_URL);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    if (RECONCILER_DATABASE_PASSWORD) {
      await setRolePassword(DATABASE_URL, 'redpacket_reconciler', RECONCILER_DATABASE_PASSWORD);
      console.log('set the password of redpacket_reconciler');
    }
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
