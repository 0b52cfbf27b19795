import { createServer } from 'node:net';

function isBusy(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/** The ports of `host` something already listens on: checked before any infrastructure is started for nothing. */
export async function busyPorts(host: string, ports: number[]): Promise<number[]> {
  const busy = await Promise.all(ports.map((port) => isBusy(host, port)));
  return ports.filter((_, index) => busy[index]);
}
