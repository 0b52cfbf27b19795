import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_KAFKA_VERSION, nodeDirectory, startLocalKafka } from './local-kafka';

describe('starting a local broker on a port in use', () => {
  let server: Server;
  let stateDir: string;

  beforeEach(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stateDir = mkdtempSync(join(tmpdir(), 'local-kafka-'));
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('stops with an error naming the port and leaves the state directory as it was', async () => {
    const port = (server.address() as { port: number }).port;
    // Another stack's broker: its storage must survive the attempt.
    const theirs = join(nodeDirectory(stateDir, 1), 'meta.properties');
    mkdirSync(nodeDirectory(stateDir, 1), { recursive: true });
    writeFileSync(theirs, 'cluster.id=theirs\n');
    const logged: string[] = [];

    const starting = startLocalKafka({
      version: DEFAULT_KAFKA_VERSION,
      brokerCount: 1,
      basePort: port,
      stateDir,
      log: (line) => logged.push(line),
    });

    await expect(starting).rejects.toThrow(new RegExp(`^Kafka cannot start: port\\(s\\) ${port}\\b.* already in use`));
    expect(existsSync(theirs)).toBe(true);
    expect(logged).toEqual([]);
  });
});
