/**
 * When a completed project's row counts as closed (`projectRow().closed`, what lists show as ended):
 * only once nothing is left to settle on it after completion.
 */
import { projectRow } from '../../activities/reporting/facts';
import { ProjectBuilder } from './builders';

const completedAndPaid = (): ProjectBuilder =>
  new ProjectBuilder({ projectId: 'p-closed', managerId: 'rita.manager', client: { id: 'closed', name: 'Closed Ltd', segment: 'B2B' }, intakeAt: '2026-01-05T09:00:00.000Z' })
    .invoice('final', 'INV-2026-000001', 1_000, '2026-01-20T09:00:00.000Z', undefined, { status: 'open' })
    .pay('INV-2026-000001', 1_000, '2026-01-21T09:00:00.000Z', 'BANK-1')
    .complete('2026-01-21T09:05:00.000Z');

test('a completed project with everything settled is closed', () => {
  expect(projectRow(completedAndPaid().status).closed).toBe(true);
});

test('a completed project whose invoice the client paid twice is not closed until the excess is credited back, nor while that refund is owed', () => {
  const p = completedAndPaid().pay('INV-2026-000001', 1_000, '2026-01-25T09:00:00.000Z', 'BANK-2');
  // The moment between the payment and its credit note: still settling, not ended.
  expect(projectRow(p.status).closed).toBe(false);
  p.status.invoices[0].excessCredited = 1_000;
  p.invoice('credit_note', 'CN-2026-000001', 1_000, '2026-01-25T09:01:00.000Z', undefined, { status: 'open' });
  expect(projectRow(p.status).closed).toBe(false);
  p.pay('CN-2026-000001', 1_000, '2026-01-26T09:00:00.000Z', 'REFUND-1');
  expect(projectRow(p.status).closed).toBe(true);
});
