/**
 * The paperwork and the money of a project: documents (contract, invoices, act, final report),
 * invoices with gapless numbers, and the chasing of unpaid invoices (reminder at the due date,
 * escalation after the grace the policy allows).
 */
import { condition, proxyActivities } from '@temporalio/workflow';
import type { InvoiceContent, InvoiceLine, ProjectActivities } from '../../activities/contract';
import { nowIso } from '../common/journal';
import { fromCents } from '../money';
import { INVOICE_DOCUMENT } from '../vocabulary';
import type { DocumentKind, DocumentRef, InvoiceKind, InvoiceView } from './contract';
import type { ProjectContext } from './context';
import { owedCents } from './state';

// Contracts, invoices and their numbers the business cannot go on without: retried until they
// succeed (an operator sees the failing activity), never skipped.
const { allocateInvoiceNumber, produceDocument } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export interface Billing {
  produce(kind: DocumentKind, invoice?: InvoiceContent): Promise<DocumentRef>;
  issueInvoice(kind: InvoiceKind, amount: number, lines: InvoiceLine[], prepaymentDeducted?: number): Promise<InvoiceView>;
  /** Sends the reminders and escalations now due on unpaid invoices; returns when the next falls due. */
  chaseDuePayments(unpaid: InvoiceView[]): number | undefined;
  /**
   * A cancelled project still bills the work that was accepted: it stays open, chasing the
   * invoice like any other, until the client has paid it.
   */
  collectCancellationPayment(): Promise<void>;
}

export function createBilling(ctx: ProjectContext): Billing {
  const { status, input } = ctx;

  async function produce(kind: DocumentKind, invoice?: InvoiceContent): Promise<DocumentRef> {
    if (!invoice) ctx.proceed(); // an invoice already numbered gets its paper whatever happens next
    const sequence = status.documents.filter((d) => d.kind === kind).length + 1;
    ctx.publisher.publishIfChanged();
    const ref = await produceDocument({
      projectId: input.projectId,
      kind,
      sequence,
      ...(invoice && { number: invoice.number }),
      snapshot: status,
      ...(invoice && { invoice }),
    });
    status.documents.push(ref);
    ctx.record('document_produced', undefined, `${kind}${invoice ? ` ${invoice.number}` : ''}`);
    return ref;
  }

  function chasePayment(invoice: InvoiceView, kind: 'reminder' | 'escalation'): void {
    ctx.chased.add(`${kind}:${invoice.number}`);
    const owed = fromCents(owedCents(invoice));
    const data = { invoiceNumber: invoice.number, amountOwed: owed, currency: invoice.currency, dueAt: invoice.dueAt };
    ctx.record(kind === 'reminder' ? 'payment_reminder' : 'payment_escalated', undefined, `${invoice.number}: ${owed} owed`);
    if (kind === 'reminder') {
      ctx.send('payment_reminder', `payment-reminder:${invoice.number}`, ctx.client, data);
      ctx.send('payment_overdue', `payment-overdue:${invoice.number}`, ctx.manager, data);
    } else {
      ctx.send('payment_escalation', `payment-escalation:${invoice.number}`, { ...ctx.manager, ...ctx.leadership }, data);
    }
  }

  function chaseDuePayments(unpaid: InvoiceView[]): number | undefined {
    const now = Date.now();
    const notices = unpaid
      .flatMap((invoice) => [
        { invoice, kind: 'reminder' as const, at: Date.parse(invoice.dueAt) },
        { invoice, kind: 'escalation' as const, at: Date.parse(invoice.dueAt) + input.policy.paymentEscalationMs },
      ])
      .filter((n) => !ctx.chased.has(`${n.kind}:${n.invoice.number}`));
    for (const n of notices.filter((n) => n.at <= now)) chasePayment(n.invoice, n.kind);
    return notices.filter((n) => n.at > now).reduce<number | undefined>((min, n) => (min === undefined || n.at < min ? n.at : min), undefined);
  }

  return {
    produce,
    chaseDuePayments,

    async issueInvoice(kind, amount, lines, prepaymentDeducted) {
      ctx.proceed();
      ctx.publisher.publishIfChanged();
      // One key per project and kind: a retried allocation gets the same number, never a gap.
      const { number } = await allocateInvoiceNumber({
        idempotencyKey: `${ctx.workflowId}:${kind}`,
        year: new Date(Date.now()).getUTCFullYear(),
      });
      const issuedAt = nowIso();
      const invoice: InvoiceView = {
        kind,
        number,
        amount,
        currency: input.budget.currency,
        issuedAt,
        dueAt: new Date(Date.now() + input.policy.paymentTermsMs).toISOString(),
        payments: [],
        paidAmount: 0,
        paid: false,
      };
      status.invoices.push(invoice);
      ctx.record('invoice_issued', undefined, `${kind} ${number}: ${amount} ${invoice.currency}`);
      ctx.changed();
      const doc = await produce(INVOICE_DOCUMENT[kind], {
        kind,
        number,
        amount,
        currency: invoice.currency,
        issuedAt,
        dueAt: invoice.dueAt,
        lines,
        ...(prepaymentDeducted !== undefined && prepaymentDeducted > 0 && { prepaymentDeducted }),
      });
      invoice.documentId = doc.documentId;
      ctx.send('invoice_issued', `invoice-issued:${kind}`, ctx.client, {
        invoiceNumber: number,
        amount,
        currency: invoice.currency,
        dueAt: invoice.dueAt,
        documentId: doc.documentId,
        kind,
      });
      return invoice;
    },

    // `until` would stop at the cancellation itself, so this waits on its own.
    async collectCancellationPayment() {
      for (;;) {
        await ctx.outbox.deliverQueued();
        ctx.syncSearchAttributes();
        ctx.publisher.publishIfChanged();
        const unpaid = status.invoices.filter((i) => !i.paid);
        if (unpaid.length === 0) return;
        const next = chaseDuePayments(unpaid);
        const seen = ctx.changes;
        const wake = () => ctx.changes !== seen || ctx.outbox.needsProcess();
        if (next === undefined) await condition(wake);
        else await condition(wake, Math.max(1, next - Date.now()));
      }
    },
  };
}
