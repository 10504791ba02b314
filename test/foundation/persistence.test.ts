/**
 * The embedded default keeps its projects across restarts: the dev server runs on a SQLite file,
 * so a workflow started before a stop is still there after the next start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { ensureTemporalCli } from '../../common/temporal-cli';
import { startDevServer, type DevServer } from '../../common/dev-server';
import { uniqueId } from '../support/temporal';

jest.setTimeout(120_000);

let dataDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-persist-'));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function start(): Promise<DevServer> {
  const cli = await ensureTemporalCli({ allowDownload: true });
  return startDevServer({
    cli,
    namespace: 'default',
    dbFilename: path.join(dataDir, 'temporal.sqlite'),
    retentionMs: 30 * 86_400_000,
  });
}

test('a workflow started before a restart is still there after it, with retention and search attributes kept', async () => {
  const workflowId = uniqueId('persist');
  let server = await start();
  try {
    const client = new Client({ connection: server.connection });
    // No worker is needed: the workflow only has to exist in the server's database.
    await client.workflow.start('invoiceNumberWorkflow', { taskQueue: uniqueId('q'), workflowId });
  } finally {
    await server.stop();
  }

  server = await start();
  try {
    const client = new Client({ connection: server.connection });
    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('invoiceNumberWorkflow');

    const ns = await server.connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(Number(ns.config?.workflowExecutionRetentionTtl?.seconds)).toBe(30 * 86_400);
    const sa = await server.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(sa.customAttributes ?? {})).toEqual(expect.arrayContaining(['ProjectStage', 'Departments']));
    await client.workflow.getHandle(workflowId).terminate('test done');
  } finally {
    await server.stop();
  }
});
