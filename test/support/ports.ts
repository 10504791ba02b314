/**
 * Ports for tests that start a process of their own (`npm start`, an embedded store, the worker's
 * metrics exporter) on ports they name in its environment.
 */
import net from 'node:net';

/** A port free at the moment of asking; the process that binds it comes later (see startOnFreePorts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface StartPorts {
  temporal: number;
  ui: number;
  api: number;
}

/**
 * Starts something on three ports that were free a moment before. Between that moment and the
 * child's bind, the dev server it starts picks free ports of its own (its metrics, its services) and
 * may take one of them (seen once in CI: the API's port became the dev server's metrics port). That
 * start fails with EADDRINUSE and is tried again on new ports, up to three times: the clash comes
 * from how the test picks ports, not from what it tests. Any other failure is the test's.
 */
export async function startOnFreePorts<T>(start: (ports: StartPorts) => Promise<T>): Promise<{ ports: StartPorts; started: T }> {
  for (let attempt = 1; ; attempt++) {
    const ports = { temporal: await freePort(), ui: await freePort(), api: await freePort() };
    try {
      return { ports, started: await start(ports) };
    } catch (err) {
      if (attempt >= 3 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
    }
  }
}
