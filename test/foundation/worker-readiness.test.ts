/**
 * A worker whose Temporal is unreachable logs one clear error, keeps retrying with backoff and
 * says "not ready" — no crash loop, no silent hang — and becomes ready once it polls.
 */
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../common/logger';
import { serveWorkerHealth } from '../../worker/health';
import { superviseWorker } from '../../worker/worker';
import { eventually, testAddress, testBundlePath, uniqueId } from '../support/temporal';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

async function readyz(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('with Temporal unreachable the worker retries with backoff, logs one error and reports 503', async () => {
  const { lines, logger } = capturedLogger();
  const worker = superviseWorker({
    address: '127.0.0.1:1',
    namespace: 'default',
    taskQueue: uniqueId('q'),
    bundlePath: testBundlePath(),
    activities: {},
    log: logger,
  });
  const health = await serveWorkerHealth({ port: 0, host: '127.0.0.1', polling: worker.polling, log: logger });
  try {
    const port = (health.address() as AddressInfo).port;
    await eventually(async () => lines.filter((l) => l.msg === 'Connecting the worker to Temporal at 127.0.0.1:1: still unreachable').length >= 2, {
      what: 'two retries',
      timeoutMs: 10_000,
    });
    expect(worker.state()).toBe('connecting');
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1); // one error line, the rest at debug
    const res = await readyz(port);
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ worker: 'not polling' });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  } finally {
    health.close();
    await worker.stop();
  }
});

test('with Temporal up the worker polls and /readyz answers 200', async () => {
  const { logger } = capturedLogger();
  const worker = superviseWorker({
    address: testAddress(),
    namespace: 'default',
    taskQueue: uniqueId('q'),
    bundlePath: testBundlePath(),
    activities: {},
    log: logger,
  });
  const health = await serveWorkerHealth({ port: 0, host: '127.0.0.1', polling: worker.polling, log: logger });
  try {
    const port = (health.address() as AddressInfo).port;
    await eventually(async () => worker.polling(), { what: 'worker polling' });
    expect((await readyz(port)).status).toBe(200);
  } finally {
    health.close();
    await worker.stop();
  }
  expect(worker.polling()).toBe(false);
});
