/**
 * A portfolio with known outcomes for the KPI tests: eight projects of two managers, B2B and B2C
 * clients, on-time and late tasks (one late against its ORIGINAL due date after the date was
 * moved), a rejected plan, a revision round beyond the included ones, complaints (one resolved, one
 * open), a partial payment, a payment after the period, a prepayment voided by a cancellation, a
 * credit note with its refund, work in hand now. Every expected figure in kpis.test.ts is worked
 * out by hand from the comments here.
 *
 * The period is the four weeks from Monday 2026-01-05 to Monday 2026-02-02; "now" is 2026-03-01.
 * The invoices of P1-P3 carry no `status` (snapshots from before invoices had one, as a rebuild
 * from older runs' results would give): the store must read them right too.
 */
import type { SnapshotRecord } from '../../activities/contract';
import { ProjectBuilder } from './builders';

export const PERIOD = { from: '2026-01-05T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' };
export const NOW = new Date('2026-03-01T00:00:00.000Z');
export const ANNA = 'anna.manager';
export const BORIS = 'boris.manager';
export const OVERLOAD_HOURS = 25;

const acme = { id: 'acme', name: 'ACME Ltd', segment: 'B2B' as const };
const globex = { id: 'globex', name: 'Globex, "the" company', segment: 'B2B' as const };
const carol = { id: 'carol', name: 'Carol Singer', segment: 'B2C' as const };
const dave = { id: 'dave', name: '=Dave', segment: 'B2C' as const };

export interface Dataset {
  /** Every snapshot in the order the workflows would have published them (seq rising per workflow). */
  live: SnapshotRecord[];
  /** The newest snapshot of every workflow. */
  finals: SnapshotRecord[];
}

export function buildDataset(): Dataset {
  const live: SnapshotRecord[] = [];
  const latest = new Map<string, SnapshotRecord>();
  const emit = (p: ProjectBuilder) => {
    for (const s of p.publishAll()) {
      live.push(s);
      latest.set(s.kind === 'project' ? s.projectId : s.taskId, s);
    }
  };

  // P1 anna/acme B2B. Response 4 h (plan v1 at 13:00), v1 rejected, v2 approved 01-06 (total 5000,
  // 1 revision round included). design: on time. copy: due moved 01-14 -> 01-20, first delivered
  // 01-16 17:00: 2 days late against the original; sent back once. Revision 1 (included, design,
  // on time), revision 2 (beyond, copywriting, extra 500, 1 day late). Accepted 01-28, rating 5.
  // Final invoice INV-1 5500: 3000 paid 01-30, 2500 paid 02-05 (after the period).
  const p1 = new ProjectBuilder({ projectId: 'p-kpi-1', managerId: ANNA, client: acme, intakeAt: '2026-01-05T09:00:00.000Z' });
  emit(p1);
  p1.submitPlan('2026-01-05T13:00:00.000Z', [{ key: 'design', department: 'design', dueAt: '2026-01-12T17:00:00.000Z', price: 3000 }]);
  emit(p1);
  p1.reject('2026-01-05T15:00:00.000Z');
  p1.submitPlan('2026-01-06T09:00:00.000Z', [
    { key: 'design', department: 'design', dueAt: '2026-01-12T17:00:00.000Z', price: 3000, estimateHours: 10 },
    { key: 'copy', department: 'copywriting', dueAt: '2026-01-14T17:00:00.000Z', price: 2000, estimateHours: 6 },
  ]);
  p1.approve('2026-01-06T10:00:00.000Z');
  emit(p1);
  p1.task('design').deliver('dima.design', '2026-01-06T10:00:00.000Z', '2026-01-12T12:00:00.000Z');
  p1.task('copy').open('2026-01-12T14:00:00.000Z').claim('ivan.copy').moveDue('2026-01-20T17:00:00.000Z', '2026-01-13T09:00:00.000Z');
  emit(p1);
  p1.task('copy').submit('2026-01-16T17:00:00.000Z').sendBack('2026-01-16T18:00:00.000Z').submit('2026-01-16T19:00:00.000Z').accept('2026-01-16T20:00:00.000Z');
  p1.toClientReview('2026-01-17T09:00:00.000Z');
  emit(p1);
  const [rev1] = p1.requestRevisions('2026-01-18T10:00:00.000Z', ['design'], '2026-01-22T17:00:00.000Z');
  emit(p1);
  rev1.claim('dima.design').submit('2026-01-21T10:00:00.000Z').accept('2026-01-21T12:00:00.000Z');
  p1.toClientReview('2026-01-21T12:00:00.000Z');
  const [rev2] = p1.requestRevisions('2026-01-23T10:00:00.000Z', ['copywriting'], '2026-01-26T17:00:00.000Z', 500);
  emit(p1);
  rev2.claim('ivan.copy').submit('2026-01-27T17:00:00.000Z').accept('2026-01-27T18:00:00.000Z');
  p1.toClientReview('2026-01-27T18:00:00.000Z');
  p1.clientAccepts('2026-01-28T10:00:00.000Z', 5);
  p1.invoice('final', 'INV-1', 5500, '2026-01-28T12:00:00.000Z', '2026-02-11T12:00:00.000Z');
  emit(p1);
  p1.pay('INV-1', 3000, '2026-01-30T12:00:00.000Z', 'A1');
  emit(p1);
  p1.pay('INV-1', 2500, '2026-02-05T12:00:00.000Z', 'A2');
  emit(p1);

  // P2 anna/acme B2B. Response 12 h. Prepayment INV-2 500 issued 01-13, paid 01-15 (2 days).
  // seo: on time. Deemed accepted 01-25. Final INV-3 500 due 01-31, unpaid: overdue at 02-02.
  const p2 = new ProjectBuilder({ projectId: 'p-kpi-2', managerId: ANNA, client: acme, intakeAt: '2026-01-12T09:00:00.000Z' });
  p2.submitPlan('2026-01-12T21:00:00.000Z', [{ key: 'seo', department: 'seo', dueAt: '2026-01-20T17:00:00.000Z', price: 1000, estimateHours: 4 }], {
    prepaymentPercent: 50,
  });
  p2.approve('2026-01-13T09:00:00.000Z');
  p2.invoice('prepayment', 'INV-2', 500, '2026-01-13T10:00:00.000Z', '2026-01-27T10:00:00.000Z');
  emit(p2);
  p2.pay('INV-2', 500, '2026-01-15T10:00:00.000Z', 'B1');
  p2.task('seo').deliver('maria.seo', '2026-01-15T10:00:00.000Z', '2026-01-19T10:00:00.000Z');
  p2.toClientReview('2026-01-19T12:00:00.000Z');
  emit(p2);
  p2.deemedAccepted('2026-01-25T10:00:00.000Z');
  p2.invoice('final', 'INV-3', 500, '2026-01-25T12:00:00.000Z', '2026-01-31T12:00:00.000Z');
  emit(p2);

  // P3 anna/globex B2B, all before the period but its payment: INV-4 4000 issued 2025-12-30,
  // paid 2026-01-08 (9 days). Completed 01-08. Rating 2 in December (not in the period).
  const p3 = new ProjectBuilder({ projectId: 'p-kpi-3', managerId: ANNA, client: globex, intakeAt: '2025-12-15T09:00:00.000Z' });
  p3.submitPlan('2025-12-16T09:00:00.000Z', [{ key: 'design', department: 'design', dueAt: '2025-12-30T17:00:00.000Z', price: 4000, estimateHours: 20 }]);
  p3.approve('2025-12-16T12:00:00.000Z');
  p3.task('design').deliver('olga.design', '2025-12-16T12:00:00.000Z', '2025-12-29T10:00:00.000Z');
  p3.toClientReview('2025-12-29T12:00:00.000Z');
  p3.clientAccepts('2025-12-29T15:00:00.000Z', 2);
  p3.invoice('final', 'INV-4', 4000, '2025-12-30T10:00:00.000Z', '2026-01-13T10:00:00.000Z');
  emit(p3);
  p3.pay('INV-4', 4000, '2026-01-08T10:00:00.000Z', 'C1');
  p3.complete('2026-01-08T12:00:00.000Z');
  emit(p3);

  // P4 boris/carol B2C. Response 2 h. ads: 1 day late. Complaint 01-11, resolved after 24 h.
  // Rating 2 (negative). INV-5 800 due 01-27: 300 paid. Credit note CN-1 100, refunded 01-22.
  const p4 = new ProjectBuilder({ projectId: 'p-kpi-4', managerId: BORIS, client: carol, intakeAt: '2026-01-06T10:00:00.000Z', departments: ['ads'] });
  p4.submitPlan('2026-01-06T12:00:00.000Z', [{ key: 'ads', department: 'ads', dueAt: '2026-01-09T17:00:00.000Z', price: 800, estimateHours: 12 }]);
  p4.approve('2026-01-06T13:00:00.000Z');
  emit(p4);
  p4.task('ads').deliver('pavel.ads', '2026-01-06T13:00:00.000Z', '2026-01-10T17:00:00.000Z');
  p4.toClientReview('2026-01-10T18:00:00.000Z');
  const c1 = p4.complain('2026-01-11T09:00:00.000Z');
  emit(p4);
  p4.resolve(c1, '2026-01-12T09:00:00.000Z');
  p4.clientAccepts('2026-01-13T09:00:00.000Z', 2);
  p4.invoice('final', 'INV-5', 800, '2026-01-13T10:00:00.000Z', '2026-01-27T10:00:00.000Z', { status: 'open' });
  emit(p4);
  p4.pay('INV-5', 300, '2026-01-20T10:00:00.000Z', 'D1');
  p4.invoice('credit_note', 'CN-1', 100, '2026-01-20T12:00:00.000Z', '2026-02-03T12:00:00.000Z', { status: 'open' });
  emit(p4);
  p4.pay('CN-1', 100, '2026-01-22T12:00:00.000Z', 'R1');
  emit(p4);

  // P5 boris/dave B2C. Response 8 h. Prepayment INV-6 900 (a newer snapshot: status field).
  // Complaint 01-29, never resolved. Cancelled 01-30: tasks cancelled, the prepayment voided.
  const p5 = new ProjectBuilder({ projectId: 'p-kpi-5', managerId: BORIS, client: dave, intakeAt: '2026-01-20T10:00:00.000Z', departments: ['analytics', 'design'] });
  p5.submitPlan('2026-01-20T18:00:00.000Z', [
    { key: 'analytics', department: 'analytics', dueAt: '2026-02-10T17:00:00.000Z', price: 2000, estimateHours: 16 },
    { key: 'design', department: 'design', dueAt: '2026-02-12T17:00:00.000Z', price: 1000, estimateHours: 30 },
  ], { prepaymentPercent: 30 });
  p5.approve('2026-01-20T19:00:00.000Z');
  p5.invoice('prepayment', 'INV-6', 900, '2026-01-20T20:00:00.000Z', '2026-02-03T20:00:00.000Z', { status: 'open' });
  p5.task('analytics').open('2026-01-21T09:00:00.000Z').claim('nina.analytics');
  p5.task('design').open('2026-01-21T09:00:00.000Z').claim('olga.design');
  emit(p5);
  p5.complain('2026-01-29T09:00:00.000Z');
  emit(p5);
  p5.cancel('2026-01-30T10:00:00.000Z', BORIS);
  p5.voidInvoice('INV-6');
  emit(p5);

  // P6 boris/carol B2C: a request with no plan yet (awaiting its first plan).
  const p6 = new ProjectBuilder({ projectId: 'p-kpi-6', managerId: BORIS, client: carol, intakeAt: '2026-01-26T09:00:00.000Z' });
  emit(p6);

  // P7 anna/globex B2B. Response 2 h. Work in hand now: design claimed by dima (30 h, due 02-20),
  // copy open (15 h, due 02-15), seo claimed by maria (12 h, due 03-20).
  const p7 = new ProjectBuilder({ projectId: 'p-kpi-7', managerId: ANNA, client: globex, intakeAt: '2026-01-27T09:00:00.000Z', departments: ['design', 'copywriting', 'seo'] });
  p7.submitPlan('2026-01-27T11:00:00.000Z', [
    { key: 'design', department: 'design', dueAt: '2026-02-20T17:00:00.000Z', price: 2500, estimateHours: 30 },
    { key: 'copy', department: 'copywriting', dueAt: '2026-02-15T17:00:00.000Z', price: 1500, estimateHours: 15 },
    { key: 'seo', department: 'seo', dueAt: '2026-03-20T17:00:00.000Z', price: 1000, estimateHours: 12 },
  ]);
  p7.approve('2026-01-27T12:00:00.000Z');
  emit(p7);
  p7.task('design').open('2026-01-27T12:00:00.000Z').claim('dima.design');
  p7.task('copy').open('2026-01-27T12:00:00.000Z');
  p7.task('seo').open('2026-01-27T12:00:00.000Z').claim('maria.seo');
  emit(p7);

  // P8 boris/carol B2C after the period: counts nowhere in it.
  const p8 = new ProjectBuilder({ projectId: 'p-kpi-8', managerId: BORIS, client: carol, intakeAt: '2026-02-03T09:00:00.000Z' });
  p8.submitPlan('2026-02-03T10:00:00.000Z', [{ key: 'ads', department: 'ads', dueAt: '2026-02-20T17:00:00.000Z' }]);
  emit(p8);

  return { live, finals: [...latest.values()] };
}
