/**
 * A connection closed while the SDK waits to retry a call: the call must fail (CANCELLED) rather
 * than throw "Channel has been shut down" from the retry's timer, outside any caller, and never
 * settle. That throw once failed whichever test file ran next in the same jest worker.
 */
import net from 'node:net';
import { Connection } from '@temporalio/client';
import { clientConnectionOptions } from '../../common/temporal';

/** A port with nothing listening: every call fails UNAVAILABLE, which the SDK retries. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a call whose retry comes after the connection closed fails with CANCELLED instead of throwing from a timer', async () => {
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const connection = Connection.lazy({ address: `127.0.0.1:${await deadPort()}`, ...clientConnectionOptions() });
    const call = connection.workflowService.getSystemInfo({}).then(
      () => 'answered',
      (err: { code?: number; message?: string }) => `failed ${err.code}: ${err.message}`,
    );
    // The first attempt fails at once; the SDK's next one waits about 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await connection.close();
    let giveUp: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([call, new Promise((resolve) => (giveUp = setTimeout(() => resolve('never settled'), 5_000)))]);
    clearTimeout(giveUp);
    expect(outcome).toMatch(/^failed 1: .*Channel has been shut down/);
    expect(uncaught).toEqual([]);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
