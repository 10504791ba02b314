/**
 * The paperwork and the money of a project: documents (contract, invoices, act, final report),
 * invoices with gapless numbers, and the chasing of unpaid invoices (reminder at the due date,
 * escalation after the grace the policy allows).
 */
import { CancellationScope, condition, proxyActivities } from '@temporalio/workflow';
import type { InvoiceContent, InvoiceLine, ProjectActivities } from '../../activities/contract';
import { nowIso } from '../common/journal';
import { sumAmounts } from '../money';
import { INVOICE_DOCUMENT } from '../vocabulary';
import type { DocumentKind, DocumentRef, InvoiceKind, InvoiceView } from './contract';
import type { ProjectContext } from './context';
import { deemedAccepted, documentSnapshot, owedAmount, refundsOwed, setOffCreditNote, settleCompensations, unpaidInvoices, waitingForPrepayment, type Compensation } from './state';

// Contracts, invoices and their numbers the business cannot go on without: retried until they
// succeed (an operator sees the failing activity), never skipped.
const { allocateInvoiceNumber, produceDocument } = proxyActivities<ProjectActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export interface Billing {
  /** True when every wait of the process chases unpaid invoices (runs since that patch). */
  readonly chasesInEveryWait: boolean;
  produce(kind: DocumentKind, invoice?: InvoiceContent): Promise<DocumentRef>;
  /**
   * Numbers, prints and sends an invoice as one step that a cancellation cannot cut in two: a
   * number once taken always gets its paper and its notice, so the series has no gap.
   */
  issueInvoice(kind: InvoiceKind, amount: number, lines: InvoiceLine[], prepaymentDeducted?: number, extra?: InvoiceExtra): Promise<InvoiceView>;
  /** The unpaid rest of an invoice is no longer owed (a cancelled project's prepayment). */
  voidInvoice(invoice: InvoiceView, reason: string): void;
  /** Runs recorded before chasing moved into every wait: sends the notices now due, returns when the next falls due. */
  chaseDuePayments(unpaid: InvoiceView[]): number | undefined;
  /** Runs recorded before cancellations settled prepayments: chases the cancellation invoice until paid. */
  collectCancellationPayment(): Promise<void>;
}

/** What some invoices carry besides their lines. */
export interface InvoiceExtra {
  /** Compensations the invoice takes off (or the credit note gives back): marked as carried by it. */
  compensations?: Compensation[];
  /**
   * Tells apart invoices of one kind in a project (its number's allocation key and its notice):
   * a credit note for each complaint's compensation. Without it, one invoice per kind, as always.
   */
  series?: string;
  /** A credit note that gives back compensations (not a cancellation's settlement): its paper and mail say so. */
  refundsCompensation?: boolean;
  /** A credit note that gives back what the client paid beyond this invoice: its paper and mail say so. */
  overpaymentOf?: string;
}

/** When an invoice is chased from, and what tells its notices apart from an earlier round's ('' for the first). */
interface ChaseRound {
  from: number;
  key: string;
}

/** The earliest of these moments, if any. */
const earliest = (moments: (number | undefined)[]): number | undefined =>
  moments.reduce<number | undefined>((min, at) => (at === undefined ? min : min === undefined || at < min ? at : min), undefined);

export function createBilling(ctx: ProjectContext): Billing {
  const { status, input, patched } = ctx;

  async function produce(kind: DocumentKind, invoice?: InvoiceContent): Promise<DocumentRef> {
    if (!invoice) ctx.proceed(); // an invoice already numbered gets its paper whatever happens next
    const sequence = status.documents.filter((d) => d.kind === kind).length + 1;
    const ref = await produceDocument({
      projectId: input.projectId,
      kind,
      sequence,
      ...(invoice && { number: invoice.number }),
      snapshot: documentSnapshot(status, kind),
      ...(invoice && { invoice }),
    });
    status.documents.push(ref);
    ctx.record('document_produced', undefined, `${kind}${invoice ? ` ${invoice.number}` : ''}`);
    return ref;
  }

  function chasePayment(invoice: InvoiceView, kind: 'reminder' | 'escalation', round: ChaseRound): void {
    ctx.chased.add(`${kind}:${invoice.number}${round.key}`);
    const owed = owedAmount(invoice);
    const takenBack = takenBackFacts(invoice, round);
    const data = {
      invoiceNumber: invoice.number,
      amountOwed: owed,
      currency: invoice.currency,
      dueAt: invoice.dueAt,
      kind: invoice.kind,
      // A prepayment the work waits for: every reminder says that nothing starts until it is paid.
      ...(waitingForPrepayment(status)?.invoice.number === invoice.number && { startsWorkWhenPaid: true }),
      // What came in on it so far (a part-paid invoice is chased for the rest, in words that say
      // so): carried, so the mail needs no read of the project (templates.ts needsProjectSnapshot).
      ...partPaid(invoice),
      // The client's reminder carries the invoice again, so it can be paid from the mail.
      ...(invoice.documentId !== undefined && { documentId: invoice.documentId }),
      // Chased again after a payment was taken back: the notice says which, when and why.
      ...takenBack,
    };
    const again = takenBack.takenBackReference ? ` again, after ${takenBack.takenBackReference} was taken back` : '';
    ctx.record(kind === 'reminder' ? 'payment_reminder' : 'payment_escalated', undefined, `${invoice.number}: ${owed} owed${again}`);
    if (kind === 'reminder') {
      ctx.send('payment_reminder', `payment-reminder:${invoice.number}${round.key}`, ctx.client, data);
      ctx.send('payment_overdue', `payment-overdue:${invoice.number}${round.key}`, ctx.manager, data);
    } else {
      ctx.send('payment_escalation', `payment-escalation:${invoice.number}${round.key}`, { ...ctx.manager, ...ctx.leadership }, data);
    }
  }

  /** A refund owed to the client not paid out by its due date: the manager pays it, leadership hears if they do not. */
  function chaseRefund(note: InvoiceView, kind: 'refund-reminder' | 'refund-escalation', round: ChaseRound): void {
    ctx.chased.add(`${kind}:${note.number}${round.key}`);
    const owed = owedAmount(note);
    const takenBack = takenBackFacts(note, round);
    const data = { invoiceNumber: note.number, amount: owed, currency: note.currency, dueAt: note.dueAt, ...takenBack };
    const again = takenBack.takenBackReference ? `, again after ${takenBack.takenBackReference} was taken back` : '';
    ctx.record(kind === 'refund-reminder' ? 'refund_overdue' : 'refund_escalated', undefined, `${note.number}: ${owed} ${note.currency} to refund${again}`);
    if (kind === 'refund-reminder') ctx.send('refund_overdue', `refund-overdue:${note.number}${round.key}`, ctx.manager, data);
    else ctx.send('refund_escalation', `refund-escalation:${note.number}${round.key}`, { ...ctx.manager, ...ctx.leadership }, data);
  }

  /** What a reminder says of the payments received on its invoice: the total, what came in, how many and the last one's day. */
  function partPaid(invoice: InvoiceView): { invoiceTotal: number; received: number; paymentsReceived: number; lastPaidAt?: string } {
    const lastPaidAt = invoice.payments.map((p) => p.paidAt).reduce<string | undefined>((latest, at) => (latest === undefined || Date.parse(at) > Date.parse(latest) ? at : latest), undefined);
    return { invoiceTotal: invoice.amount, received: invoice.paidAmount, paymentsReceived: invoice.payments.length, ...(lastPaidAt !== undefined && { lastPaidAt }) };
  }

  /** What a notice of a later round says of the payment taken back that began it (nothing in the first round). */
  function takenBackFacts(invoice: InvoiceView, round: ChaseRound): Partial<Record<'takenBackReference' | 'takenBackAt' | 'takenBackCause', string> & { takenBackAmount: number }> {
    const takenBack = round.key === '' ? undefined : invoice.reversedPayments?.at(-1);
    if (!takenBack) return {};
    return { takenBackReference: takenBack.reference, takenBackAmount: takenBack.amount, takenBackAt: takenBack.reversedAt, takenBackCause: takenBack.cause };
  }

  /**
   * When an invoice's chasing starts, and the round its notices are known by. A payment taken back
   * (the bank returned it, or it was entered by mistake) leaves the invoice owed again, though its
   * reminder and escalation may have gone already: it is chased afresh, from one escalation grace
   * after the take-back (a client told of their bank's return has that long to pay again), never
   * before its due date; each take-back starts a round of its own. The patch is asked only once a
   * chased invoice has a payment taken back: runs recorded before kept the notices they had sent
   * and waited without a timer for another.
   */
  function chaseRound(invoice: InvoiceView): ChaseRound {
    const due = Date.parse(invoice.dueAt);
    const takenBack = invoice.reversedPayments ?? [];
    if (takenBack.length === 0 || !patched('chase-again-after-take-back')) return { from: due, key: '' };
    const last = Date.parse(takenBack.at(-1)!.reversedAt);
    return { from: Math.max(due, last + input.policy.paymentEscalationMs), key: `:${takenBack.length}` };
  }

  /** Sends the notices now due (reminders, then escalations), returns when the next falls due. */
  function chaseDue<K extends string>(invoices: InvoiceView[], kinds: [K, K], chase: (invoice: InvoiceView, kind: K, round: ChaseRound) => void): number | undefined {
    const now = Date.now();
    const notices = invoices
      .flatMap((invoice) => {
        const round = chaseRound(invoice);
        return [
          { invoice, round, kind: kinds[0], at: round.from },
          { invoice, round, kind: kinds[1], at: round.from + input.policy.paymentEscalationMs },
        ];
      })
      .filter((n) => !ctx.chased.has(`${n.kind}:${n.invoice.number}${n.round.key}`));
    for (const n of notices.filter((n) => n.at <= now)) chase(n.invoice, n.kind, n.round);
    return earliest(notices.filter((n) => n.at > now).map((n) => n.at));
  }

  const chaseDuePayments = (unpaid: InvoiceView[]): number | undefined => chaseDue(unpaid, ['reminder', 'escalation'], chasePayment);

  // Every unpaid invoice is chased while the process waits on anything — a prepayment while the
  // work waits for it, an invoice of a cancelled project. Runs recorded before chased only the
  // final invoice's wait (and a cancelled project's), so they replay without this.
  const chasesInEveryWait = patched('chase-every-unpaid-invoice');
  if (chasesInEveryWait) {
    ctx.waitHooks.push(() => {
      const nextPayment = chaseDuePayments(unpaidInvoices(status));
      // Refunds owed are chased too, the other way. The patch is asked only once a refund is owed,
      // where runs recorded before waited without a timer for it (so no run without one is marked).
      const refunds = refundsOwed(status);
      if (refunds.length === 0 || !patched('chase-refunds-owed')) return nextPayment;
      return earliest([nextPayment, chaseDue(refunds, ['refund-reminder', 'refund-escalation'], chaseRefund)]);
    });
  }

  async function issueInvoice(
    kind: InvoiceKind,
    amount: number,
    lines: InvoiceLine[],
    prepaymentDeducted?: number,
    extra: InvoiceExtra = {},
  ): Promise<InvoiceView> {
    const series = extra.series === undefined ? kind : `${kind}:${extra.series}`;
    const compensations = extra.compensations ?? [];
    // One moment gives the number's year, the date printed and the due date.
    const issuedAt = nowIso();
    // One key per project and kind (and series): a retried allocation gets the same number, never a gap.
    // Credit notes in a series of their own, and the year in the agency's zone (from `issuedAt`).
    // Only the activity's input says so (replay does not compare it): a run replayed keeps the
    // number its history recorded.
    const { number } = await allocateInvoiceNumber({
      idempotencyKey: `${ctx.workflowId}:${series}`,
      year: new Date(Date.parse(issuedAt)).getUTCFullYear(),
      issuedAt,
      ...(kind === 'credit_note' && { series: 'credit_note' as const }),
    });
    const invoice: InvoiceView = {
      kind,
      number,
      amount,
      currency: input.budget.currency,
      issuedAt,
      dueAt: new Date(Date.parse(issuedAt) + input.policy.paymentTermsMs).toISOString(),
      payments: [],
      paidAmount: 0,
      status: 'open',
    };
    status.invoices.push(invoice);
    settleCompensations(status, compensations, number);
    ctx.record(kind === 'credit_note' ? 'credit_note_issued' : 'invoice_issued', undefined, `${kind} ${number}: ${amount} ${invoice.currency}`);
    // A compensation's credit note first settles what the client has not paid; only the rest is
    // refunded. (Runs recorded before refunded it all, while the final invoice was chased in full.)
    // So does one returning an overpayment (a prepayment paid twice over is taken off the final invoice).
    const setOffs = (extra.refundsCompensation || extra.overpaymentOf !== undefined) && patched('set-off-credit-notes') ? setOffCreditNote(status, invoice, issuedAt) : [];
    for (const s of setOffs) ctx.record('credit_set_off', undefined, `${number} against ${s.invoiceNumber}: ${s.amount} ${invoice.currency}`);
    const stillOwedOn = (invoiceNumber: string): number => owedAmount(status.invoices.find((i) => i.number === invoiceNumber)!);
    const refund = owedAmount(invoice);
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
      ...(compensations.length > 0 && { compensations }),
      ...(extra.refundsCompensation && { refundsCompensation: true }),
      ...(extra.overpaymentOf !== undefined && { overpaymentOf: extra.overpaymentOf }),
      ...(setOffs.length > 0 && { setOffs: setOffs.map((s) => ({ invoiceNumber: s.invoiceNumber, amount: s.amount, stillOwed: stillOwedOn(s.invoiceNumber) })) }),
    });
    invoice.documentId = doc.documentId;
    status.version += 1; // the store shows the link to the paper; nothing waits on it
    // A refund is the manager's to pay out — a compensation's, or a cancelled project's prepayment
    // beyond the work — so they are told too (not when nothing is left to pay out). The manager who
    // cancelled is not mailed the cancellation itself, and would otherwise learn of the refund only
    // from its reminder. (Only the activity's input changes: histories replay as recorded.)
    const recipients = kind === 'credit_note' && refund > 0 ? { ...ctx.client, ...ctx.manager } : ctx.client;
    ctx.send(kind === 'credit_note' ? 'credit_note_issued' : 'invoice_issued', `invoice-issued:${series}`, recipients, {
      invoiceNumber: number,
      amount,
      currency: invoice.currency,
      dueAt: invoice.dueAt,
      documentId: doc.documentId,
      kind,
      // A prepayment the work waits for says so (the manager's page does; the client's mail too).
      ...(kind === 'prepayment' && input.policy.startAfterPrepayment && { startsWorkWhenPaid: true }),
      // The papers the client keeps or signs travel with the invoice they belong to: the contract
      // with the prepayment's, the acceptance act (to sign) with the final one.
      ...alsoAttached(kind),
      // The client who never answered learns why the final invoice comes: the work counts as accepted.
      ...(kind === 'final' && deemedAccepted(ctx.status) && { deemedAccepted: true }),
      // The client's mail says why a credit note is owed: a compensation, an overpayment, or a cancellation's settlement.
      ...(extra.refundsCompensation && { compensationFor: compensations.map((c) => c.complaintId).join(', ') }),
      ...(extra.overpaymentOf !== undefined && { overpaymentOf: extra.overpaymentOf }),
      // Set against an unpaid invoice: the mail says which, what it still asks, and what is refunded.
      ...(setOffs.length > 0 && {
        setAgainst: setOffs.map((s) => s.invoiceNumber).join(', '),
        setOffAmount: sumAmounts(setOffs.map((s) => s.amount), invoice.currency),
        stillOwed: sumAmounts(setOffs.map((s) => stillOwedOn(s.invoiceNumber)), invoice.currency),
        refundOwed: refund,
      }),
    });
    return invoice;
  }

  /** The latest contract for a prepayment invoice, the latest acceptance act for a final one. */
  function alsoAttached(kind: InvoiceKind): { alsoAttach?: string; alsoAttachKind?: DocumentKind } {
    const paper: DocumentKind | undefined = kind === 'prepayment' ? 'contract' : kind === 'final' ? 'acceptance_act' : undefined;
    const ref = paper && status.documents.filter((d) => d.kind === paper).at(-1);
    return ref ? { alsoAttach: ref.documentId, alsoAttachKind: ref.kind } : {};
  }

  return {
    chasesInEveryWait,
    produce,
    chaseDuePayments,

    async issueInvoice(kind, amount, lines, prepaymentDeducted, extra) {
      ctx.proceed();
      return CancellationScope.nonCancellable(() => issueInvoice(kind, amount, lines, prepaymentDeducted, extra));
    },

    voidInvoice(invoice, reason) {
      invoice.voidedAmount = owedAmount(invoice);
      invoice.status = 'void';
      invoice.voidedAt = nowIso();
      invoice.voidReason = reason;
      ctx.record('invoice_voided', undefined, `${invoice.number}: ${invoice.voidedAmount} ${invoice.currency} no longer owed (${reason})`);
      ctx.send('invoice_voided', `invoice-voided:${invoice.number}`, ctx.client, {
        invoiceNumber: invoice.number,
        amountVoided: invoice.voidedAmount,
        amountPaid: invoice.paidAmount,
        currency: invoice.currency,
        reason,
      });
      ctx.changed();
    },

    // `until` would stop at the cancellation itself, so this waits on its own.
    async collectCancellationPayment() {
      for (;;) {
        await ctx.outbox.deliverQueued();
        ctx.syncSearchAttributes();
        const unpaid = status.invoices.filter((i) => i.status === 'open');
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
