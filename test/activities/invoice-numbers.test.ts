/**
 * Invoice numbers come from one entity workflow per year on the real dev server: gapless, never
 * reused, the same key always gets the same number — under concurrency, on retry, and across
 * continue-as-new. Each test keeps its own counter through a workflow-id prefix.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createInvoiceNumberActivities } from '../../activities/invoice-numbers';
import {
  INVOICE_NUMBER_WORKFLOW_TYPE,
  allocateNumberUpdate,
  getInvoiceNumbersQuery,
  invoiceNumberWorkflowId,
  type InvoiceNumberState,
} from '../../workflows/invoice-number/contract';
import { connectTestTemporal, createTestWorker, uniqueId, type TestTemporal } from '../support/temporal';
import { capturedLogger } from './fixtures';

const YEAR = 2026;

let temporal: TestTemporal;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  temporal = await connectTestTemporal();
  taskQueue = uniqueId('invoice-numbers');
  worker = await createTestWorker(temporal, { taskQueue, activities: {} });
  running = worker.run();
});

afterAll(async () => {
  worker.shutdown();
  await running;
  await temporal.close();
});

let logLines: Record<string, unknown>[];

function counter() {
  const prefix = `${uniqueId('t')}-`;
  const { lines, logger } = capturedLogger();
  logLines = lines;
  const { allocateInvoiceNumber } = createInvoiceNumberActivities({
    client: temporal.client,
    logger,
    taskQueue,
    invoiceNumberWorkflowIdPrefix: prefix,
  });
  const handle = temporal.client.workflow.getHandle(`${prefix}${invoiceNumberWorkflowId(YEAR)}`);
  return {
    workflowId: handle.workflowId,
    allocate: (idempotencyKey: string) => allocateInvoiceNumber({ idempotencyKey, year: YEAR }).then((r) => r.number),
    state: () => handle.query(getInvoiceNumbersQuery),
    handle,
  };
}

const sequenceOf = (number: string): number => {
  expect(number).toMatch(/^INV-2026-\d{6}$/);
  return Number(number.slice(-6));
};

test('credit notes have a series of their own: CN-numbers from 1, gapless, beside invoices that keep theirs; a series unknown is refused', async () => {
  const prefix = `${uniqueId('t')}-`;
  const { allocateInvoiceNumber } = createInvoiceNumberActivities({ client: temporal.client, logger: capturedLogger().logger, taskQueue, invoiceNumberWorkflowIdPrefix: prefix });
  const invoice = async (key: string) => (await allocateInvoiceNumber({ idempotencyKey: key, year: YEAR })).number;
  const creditNote = async (key: string) => (await allocateInvoiceNumber({ idempotencyKey: key, year: YEAR, series: 'credit_note' })).number;
  expect(await invoice('project-a:prepayment')).toBe('INV-2026-000001');
  expect(await creditNote('project-a:credit_note:c1')).toBe('CN-2026-000001');
  expect(await invoice('project-a:final')).toBe('INV-2026-000002');
  expect(await creditNote('project-b:credit_note:c1')).toBe('CN-2026-000002');
  // A retried key: its number again, in its own series.
  expect(await creditNote('project-a:credit_note:c1')).toBe('CN-2026-000001');
  const creditNotes = temporal.client.workflow.getHandle(`${prefix}${invoiceNumberWorkflowId(YEAR, 'credit_note')}`);
  expect(await creditNotes.query(getInvoiceNumbersQuery)).toMatchObject({ prefix: 'CN', lastSequence: 2 });
  await expect(allocateInvoiceNumber({ idempotencyKey: 'k', year: YEAR, series: 'receipt' as never })).rejects.toMatchObject({ type: 'InvalidInput' });
});

test('a counter started before series (its state without a prefix) goes on numbering invoices INV-', async () => {
  const c = counter();
  const state: InvoiceNumberState = { year: YEAR, lastSequence: 41, allocations: {} };
  await temporal.client.workflow.start(INVOICE_NUMBER_WORKFLOW_TYPE, { workflowId: c.workflowId, taskQueue, args: [state] });
  expect(await c.allocate('project-old:final')).toBe('INV-2026-000042');
});

test('thirty callers at once get gapless unique numbers, and a repeated key gets its number again', async () => {
  const c = counter();
  const distinct = Array.from({ length: 24 }, (_, i) => `project-p${i}:final`);
  const repeated = [distinct[0], distinct[3], distinct[3], distinct[10], distinct[23], distinct[23]];
  const keys = [...distinct, ...repeated].sort(() => Math.random() - 0.5);

  const numbers = await Promise.all(keys.map((key) => c.allocate(key)));

  const byKey = new Map<string, Set<string>>();
  keys.forEach((key, i) => byKey.set(key, (byKey.get(key) ?? new Set()).add(numbers[i])));
  for (const [, got] of byKey) expect(got.size).toBe(1); // one key, one number
  const sequences = [...byKey.values()].map((s) => sequenceOf([...s][0])).sort((a, b) => a - b);
  expect(sequences).toEqual(Array.from({ length: distinct.length }, (_, i) => i + 1)); // 1..24, no gap, no repeat
  expect((await c.state()).lastSequence).toBe(distinct.length);
});

test('a retried allocation (same key twice) gets the same number and leaves no gap', async () => {
  const c = counter();
  const first = await c.allocate('project-acme:prepayment');
  const retried = await c.allocate('project-acme:prepayment');
  const next = await c.allocate('project-acme:final');

  expect(first).toBe('INV-2026-000001');
  expect(retried).toBe(first);
  expect(next).toBe('INV-2026-000002');
  expect(await c.state()).toEqual({
    year: YEAR,
    prefix: 'INV',
    lastSequence: 2,
    allocations: { 'project-acme:prepayment': 1, 'project-acme:final': 2 },
  });
});

test('continue-as-new carries the ledger: numbers stay gapless and old keys keep their numbers', async () => {
  const c = counter();
  const initial: InvoiceNumberState = { year: YEAR, lastSequence: 0, allocations: {}, maxAllocationsPerRun: 3 };
  const started = await temporal.client.workflow.start(INVOICE_NUMBER_WORKFLOW_TYPE, {
    workflowId: c.workflowId,
    taskQueue,
    args: [initial],
  });

  const numbers: string[] = [];
  for (let i = 1; i <= 10; i++) numbers.push(await c.allocate(`key-${i}`));

  expect(numbers.map(sequenceOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const latestRun = (await c.handle.describe()).runId;
  expect(latestRun).not.toBe(started.firstExecutionRunId); // it did continue as new (three times)
  expect(await c.allocate('key-1')).toBe('INV-2026-000001'); // a key from the first run
  const state = await c.state();
  expect(state.lastSequence).toBe(10);
  expect(state.maxAllocationsPerRun).toBe(3);
  expect(Object.keys(state.allocations)).toHaveLength(10);
});

test('a counter that was ended by hand is not restarted from 1', async () => {
  const c = counter();
  expect(await c.allocate('before')).toBe('INV-2026-000001');
  await c.handle.terminate('operator mistake');

  await expect(c.allocate('after')).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  expect(logLines).toContainEqual(expect.objectContaining({ level: 50, invoiceNumberWorkflowId: c.workflowId }));
});

test("an invoice is numbered in the year of the agency's day it is issued on (AGENCY_TIME_ZONE): 23:30 UTC on New Year's Eve is next year's in Berlin, this year's in UTC", async () => {
  const prefix = `${uniqueId('tz')}-`;
  const allocateIn = (timeZone: string | undefined) =>
    createInvoiceNumberActivities({ client: temporal.client, logger: capturedLogger().logger, taskQueue, invoiceNumberWorkflowIdPrefix: prefix, ...(timeZone && { agency: { timeZone } }) })
      .allocateInvoiceNumber;
  const newYearsEve = '2026-12-31T23:30:00.000Z';
  expect((await allocateIn('Europe/Berlin')({ idempotencyKey: 'p-berlin:final', year: 2026, issuedAt: newYearsEve })).number).toBe('INV-2027-000001');
  expect((await allocateIn(undefined)({ idempotencyKey: 'p-utc:final', year: 2026, issuedAt: newYearsEve })).number).toBe('INV-2026-000001');
  // An allocation from a run recorded before (no issuedAt) keeps the UTC year it names.
  expect((await allocateIn('Europe/Berlin')({ idempotencyKey: 'p-old:final', year: 2026 })).number).toBe('INV-2026-000002');
  await expect(allocateIn('Europe/Berlin')({ idempotencyKey: 'p-bad:final', year: 2026, issuedAt: 'New Year' })).rejects.toThrow(/issuedAt must be a date-time/);
});

test('a call without a key is refused before it costs a number', async () => {
  const c = counter();
  await c.allocate('first');
  await expect(c.allocate('  ')).rejects.toMatchObject({ type: 'InvalidInput', nonRetryable: true });
  // The workflow's own validator refuses it too, for callers other than this activity.
  await expect(c.handle.executeUpdate(allocateNumberUpdate, { args: [{ idempotencyKey: '' }] })).rejects.toMatchObject({
    cause: { type: 'InvalidInput' },
  });
  expect(await c.allocate('second')).toBe('INV-2026-000002');
});
