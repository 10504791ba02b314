import { connectTestTemporal, createTestWorker, uniqueId, type TestTemporal } from '../support/temporal';

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(() => temporal.close());

test('the shared dev server answers and has our search attributes', async () => {
  const sa = await temporal.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  expect(Object.keys(sa.customAttributes ?? {})).toEqual(expect.arrayContaining(['ProjectStage', 'TaskStatus', 'DueAt']));
  const taskQueue = uniqueId('q');
  const worker = await createTestWorker(temporal, { taskQueue, activities: {} });
  await worker.runUntil(async () => {
    const handle = await temporal.client.workflow.start('invoiceNumberWorkflow', { taskQueue, workflowId: uniqueId('w') });
    await handle.terminate();
  });
});
