import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrations } from '@redpacket/database';
import { asPostgresUser, postgresBinDir } from '../infra/local-postgres';
import { runCommand } from '../infra/process-utils';
import { REPO_ROOT } from '../infra/provision';
import { createDatabase, databaseUrlFor } from './test-database';
import { freePort } from './free-port';

/**
 * A Postgres cluster of the test's own (initdb + pg_ctl on a free port), which it may stop and start
 * at will without disturbing other tests. Holds one migrated database, `url`.
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly dataDir: string,
    private readonly port: number,
    readonly url: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('this test restarts Postgres: it needs initdb and pg_ctl (apt install postgresql)');
    const dataDir = join(REPO_ROOT, '.infra', `private-pg-${randomBytes(3).toString('hex')}`);
    mkdirSync(dataDir, { recursive: true });
    // initdb refuses to run as root: a root caller runs the cluster as the `postgres` user.
    if (process.getuid?.() === 0) {
      const { uid, gid } = statSync('/var/lib/postgresql');
      chownSync(dataDir, uid, gid);
    }
    const port = await freePort();
    const cluster = new PrivatePostgres(bin, dataDir, port, `postgres://postgres@127.0.0.1:${port}/redpacket`);
    try {
      await cluster.run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
      await cluster.startServer();
      const serverUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
      await createDatabase(serverUrl, 'redpacket');
      await runMigrations(databaseUrlFor(serverUrl, 'redpacket'));
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  /** `pg_ctl stop -m fast`: every session is ended (57P01 admin_shutdown), then the server exits. */
  async stopServer(): Promise<void> {
    await this.run('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  /**
   * Starts the server on its data directory and waits until it accepts connections. Always with
   * `-l`: without a log file (as with a bare `pg_ctl restart`) the postmaster inherits pg_ctl's
   * stdout and stderr, so `runCommand`'s pipes never close and the call never returns.
   */
  async startServer(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    await this.run('pg_ctl', [
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      join(this.dataDir, 'server.log'),
      '-w',
      'start',
    ]);
  }

  /** Stops the server if it runs and removes its data directory. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async run(tool: string, args: string[]): Promise<void> {
    const binary = join(this.bin, tool);
    const [command, commandArgs] = asPostgresUser(binary, args);
    const result = await runCommand(command, commandArgs);
    if (result.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed:\n${result.output}`);
  }
}
