/**
 * The client's page (`/client/<projectId>?key=…`): their project as they see it, opened by the link
 * their account manager sent, without an account — where the work stands, what was delivered for
 * their review, the agreed total, any compensation agreed for their complaints and the work being
 * redone for one made after completion, invoices with the payments received, and documents — under the agency's name, not the software's. The client
 * answers on the page itself — accepts the delivered work with a rating, asks for changes, or
 * complains — giving their name (the link has no account behind it). Changes asked for wait for the
 * manager, who settles departments, dates and any price (a round of changes) or answers without
 * one; the page says which, and that the review period is paused while they wait.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, ok } from '../api';
import { useAction, useRequestKey, useResource } from '../data';
import { DEPARTMENT_LABEL, formatDate, formatMoney, listInWords, roundMoney } from '../format';
import { Badge, Choices, Input, LinkList, Loading, PageHeader, ProblemBox, Section, TextArea } from '../ui';
import type { components } from '../generated/openapi';

type View = components['schemas']['ClientProjectView'];
type ClientAnswer = components['schemas']['ClientAnswer'];
type AnswerKind = ClientAnswer['kind'];
type Progress = View['work'][number]['progress'];

/** Where the project stands, in the client's words (the agency's stages behind each step). */
const STEPS: { label: string; stages: View['stage'][] }[] = [
  { label: 'Plan', stages: ['intake', 'planning', 'awaiting_approval'] },
  { label: 'Work', stages: ['in_production'] },
  { label: 'Your review', stages: ['client_review'] },
  { label: 'Invoicing', stages: ['invoicing', 'closing'] },
  { label: 'Done', stages: ['completed'] },
];

const NOW: Record<View['stage'], string> = {
  intake: 'We are preparing the plan for your request.',
  planning: 'We are preparing the plan for your request.',
  awaiting_approval: 'The plan for your request is being agreed inside the agency.',
  in_production: 'The work is under way.',
  client_review: 'The work is ready for your review.',
  invoicing: 'The work is accepted; invoicing is under way.',
  closing: 'Everything is paid; we are closing the project.',
  completed: 'The project is completed. Thank you!',
  cancelled: 'The project was cancelled.',
};

/** The stages in which the acceptance act is out (it comes with the final invoice), to sign and send back. */
const ACT_STAGES: ReadonlySet<View['stage']> = new Set(['invoicing', 'closing', 'completed']);

const PROGRESS: Record<Progress, { label: string; tone: 'neutral' | 'info' | 'good' | 'bad' }> = {
  planned: { label: 'Planned', tone: 'neutral' },
  in_progress: { label: 'In progress', tone: 'info' },
  done: { label: 'Done', tone: 'good' },
  cancelled: { label: 'Cancelled', tone: 'bad' },
};

const DOCUMENT: Record<string, string> = {
  contract: 'Contract',
  prepayment_invoice: 'Prepayment invoice',
  final_invoice: 'Invoice',
  cancellation_invoice: 'Cancellation invoice',
  credit_note: 'Credit note',
  acceptance_act: 'Acceptance act',
};

export function ClientPage({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const key = query.get('key') ?? '';
  const project = useResource(
    () => ok(api.GET('/api/client/projects/{id}', { params: { path: { id: params.id }, query: { key } } })),
    [params.id, key],
    30_000,
  );
  // The client deals with the agency, not with its software: its name heads the page and the tab,
  // as it heads its papers (none is shown before it is known, and none to a link that opens nothing).
  const agency = project.data?.agencyName;
  const title = project.data?.title;
  useEffect(() => {
    if (agency) document.title = `${title} · ${agency}`;
  }, [agency, title]);
  // The answer just given on this page, confirmed at its top while the page is open (a reload
  // still lists it under "Your answer", from the project).
  const [confirmed, setConfirmed] = useState<Confirmation | undefined>();
  return (
    <>
      <header class="topbar topbar--client">{agency && <span class="brand">{agency}</span>}</header>
      <main id="main" tabIndex={-1} class="client-page">
        {project.data ? (
          <ClientView
            view={project.data}
            confirmed={confirmed}
            answers={{
              key,
              // The answer's response is the page as it now stands: shown at once, no second read.
              answered: (next, confirmation) => {
                project.set(next);
                setConfirmed(confirmation);
              },
              refused: () => void project.reload(),
            }}
          />
        ) : project.error ? (
          <>
            <PageHeader title="Your project" />
            <ProblemBox error={project.error} title="This link does not open a project" />
          </>
        ) : (
          <Loading what="Opening your project" />
        )}
      </main>
    </>
  );
}

function ClientView({ view: v, confirmed, answers }: { view: View; confirmed?: Confirmation; answers: AnswerHandlers }) {
  const step = STEPS.findIndex((s) => s.stages.includes(v.stage));
  const contact = v.manager.email ? (
    <a href={`mailto:${v.manager.email}?subject=${encodeURIComponent(v.title)}`}>{v.manager.name}</a>
  ) : (
    v.manager.name
  );
  // The prepayment the work waits for is said on its own, first: not as one more invoice waiting.
  const waiting = v.waitingForPrepayment;
  const open = v.invoices.filter((i) => i.status === 'open' && i.kind !== 'credit_note' && i.number !== waiting?.invoiceNumber);
  // An invoice they paid and their bank returned is said as that, not as one more invoice waiting.
  const cameBack = open.filter((i) => i.returned.length > 0 && i.stillOwed > 0);
  const otherOpen = open.filter((i) => !cameBack.includes(i));
  // Said after the prepayment or a returned payment: the rest are "other" invoices.
  const besidesOpen = waiting !== undefined || cameBack.length > 0;
  // Completed, and still hearing complaints for a while.
  const heardHere = v.stage === 'completed' && v.complaintsHeardUntil !== undefined && Date.parse(v.complaintsHeardUntil) > Date.now();
  // Work that never started on a cancelled project never will: not "Planned".
  const notStarted = (w: View['work'][number]) => v.stage === 'cancelled' && w.progress === 'planned';
  // The act comes with the final invoice (invoicing on): the client signs it and sends it back.
  const act = ACT_STAGES.has(v.stage) ? v.documents.find((d) => d.kind === 'acceptance_act') : undefined;
  // Accepted, the final invoice not issued yet (the act being drawn up, the invoice numbered): it is
  // coming, and what it asks. Not beside the confirmation of the acceptance just given, which says so.
  const finalBeingMade = v.stage === 'invoicing' && confirmed?.kind !== 'accepted' ? finalInvoiceOf(v) : undefined;
  return (
    <>
      <PageHeader title={v.title}>
        <p>
          For {v.clientName} · your account manager {contact} · you want it by {formatDate(v.desiredDeadline)}
        </p>
      </PageHeader>

      {/* A request confirmed as waiting says nothing true once the manager has answered it. */}
      {confirmed && !(confirmed.kind === 'changes' && !waitingRequest(v)) && <AnswerConfirmation confirmation={confirmed} contact={contact} />}

      {v.stage !== 'cancelled' && (
        <ol class="stage-progress" aria-label="Where your project stands">
          {STEPS.map((s, i) => (
            <li key={s.label} class={i < step ? 'done' : i === step ? 'current' : ''} aria-current={i === step ? 'step' : undefined}>
              {s.label}
            </li>
          ))}
        </ol>
      )}

      <div class={v.stage === 'client_review' || waiting ? 'callout callout--warn' : 'callout'} role="status">
        <p>
          <strong>
            {waiting ? (
              <PrepaymentFirst waiting={waiting} invoices={v.invoices} />
            ) : v.stage === 'completed' && open.length > 0 ? (
              // Completed, then money owed again (a payment their bank returned): no thanks as if all were settled.
              'The work is completed; a payment is still open.'
            ) : (
              NOW[v.stage]
            )}
          </strong>
        </p>
        {waiting && Date.parse(waiting.dueAt) < Date.now() && <p>It was due on {formatDate(waiting.dueAt)}; the work begins as soon as it is paid.</p>}
        {finalBeingMade && (
          <p class="final-invoice-coming">
            {finalBeingMade.amount > 0
              ? `The final invoice, of ${formatMoney(finalBeingMade.amount, finalBeingMade.currency)}, is being made: it comes to you by e-mail, with the acceptance act to sign.`
              : 'The acceptance act to sign comes to you by e-mail; no further invoice comes for the agreed work.'}
          </p>
        )}
        {v.stage === 'client_review' &&
          (v.mayAnswer.accept ? (
            <ReviewAnswerNotice view={v} contact={contact} />
          ) : (
            <p>
              Please tell {contact}
              {v.respondBy ? ` by ${formatDate(v.respondBy)}` : ''} whether you accept it or what should change: reply to our e-mail, or write to them.
            </p>
          ))}
        {/* A completed project still hears complaints for a while: the client is told whom to tell, and by when. */}
        {heardHere && (
          <p class="complaints-heard">
            {v.mayAnswer.complain ? (
              <>
                If something is not right with the work, please tell us by {formatDate(v.complaintsHeardUntil)}: make a complaint below, under{' '}
                <a href="#answer">Your answer</a>, or write to {contact}.
              </>
            ) : (
              <>
                If something is not right with the work, please tell {contact} by {formatDate(v.complaintsHeardUntil)}: reply to our e-mail, or write to them.
              </>
            )}
          </p>
        )}
        {/*
          Past the window (or with none), a complaint is no longer made here, but the manager still
          records one the client brings them (the project runs again for it): whom to tell. Not beside
          a complaint being put right, which says so itself.
        */}
        {v.stage === 'completed' && !heardHere && v.complaintsBeingPutRight.length === 0 && (
          <p class="complaints-to-manager">If something is not right with the work, please tell {contact}: reply to our e-mail, or write to them.</p>
        )}
        {/* A complaint after completion being put right: what is redone, by when; then that it was. */}
        {v.complaintsBeingPutRight.map((c) => (
          <p key={`${c.complaintAt}-${c.complaintAbout}`} class="complaint-put-right">
            <PutRightInWords complaint={c} contact={contact} />
          </p>
        ))}
        {/* An invoice they paid is open again: their bank returned the money (they were mailed so). */}
        {cameBack.map((i) => (
          <p key={`returned-${i.number}`} class="payment-came-back">
            <CameBackInWords invoice={i} />
          </p>
        ))}
        {otherOpen.length > 0 && (
          <p>
            {otherOpen.length === 1 ? (besidesOpen ? 'Another invoice is' : 'An invoice is') : `${otherOpen.length} ${besidesOpen ? 'other ' : ''}invoices are`} waiting for
            payment: see below.
          </p>
        )}
        {act && (
          <p>
            Please sign the{' '}
            <a href={act.href} target="_blank" rel="noopener">
              acceptance act
            </a>{' '}
            (in Documents below) and send a signed copy back to {contact}, if you have not done so yet.
          </p>
        )}
        <RefundNotice invoices={v.invoices} />
      </div>

      {v.work.length > 0 && (
        <Section title="The work" id="work">
          {v.work.every(notStarted) && <p class="muted">The project was cancelled before the work started: none of it was done.</p>}
          <ul class="client-work">
            {v.work.map((w, i) => (
              <li key={`${w.title}-${i}`} class="card">
                <p>
                  <strong>{w.title}</strong> <span class="muted">{DEPARTMENT_LABEL[w.department]}</span>{' '}
                  {notStarted(w) ? <Badge tone="neutral">Not started</Badge> : <Badge tone={PROGRESS[w.progress].tone}>{PROGRESS[w.progress].label}</Badge>}
                </p>
                {w.progress !== 'done' && w.progress !== 'cancelled' && !notStarted(w) && (
                  <p class="muted">
                    {Date.parse(w.dueAt) < Date.now()
                      ? `Was planned for ${formatDate(w.dueAt)}: it is running late, and your account manager will tell you when to expect it.`
                      : `Planned for ${formatDate(w.dueAt)}`}
                  </p>
                )}
                {w.delivered && (
                  <div class="delivery">
                    <p class="muted">Delivered:</p>
                    <p class="prewrap">{w.delivered.summary}</p>
                    <LinkList links={w.delivered.links} />
                  </div>
                )}
              </li>
            ))}
          </ul>
          {v.plan && (
            <p class="plan-summary">
              Agreed total <strong>{formatMoney(v.plan.total, v.plan.currency)}</strong>
              {v.plan.prepaymentPercent > 0 && <> · prepayment {v.plan.prepaymentPercent}%</>} · {v.plan.includedRevisionRounds}{' '}
              {v.plan.includedRevisionRounds === 1 ? 'round' : 'rounds'} of changes included
              <ExtraRounds plan={v.plan} />
            </p>
          )}
          {v.compensations.map((c) => (
            <p key={`${c.complaintAt}-${c.agreedAt}`} class="compensation">
              <CompensationInWords compensation={c} invoices={v.invoices} />
            </p>
          ))}
        </Section>
      )}

      <YourAnswer view={v} contact={contact} handlers={answers} />

      {v.invoices.length > 0 && (
        <Section title="Invoices" id="invoices">
          {/* On a phone each invoice is a card (styles.css, .card-rows); the roles keep it a table to screen readers. */}
          <div class="table-wrap">
            <table class="card-rows" role="table">
              <caption class="visually-hidden">Your invoices</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">Invoice</th>
                  <th scope="col" role="columnheader" class="num">Amount</th>
                  <th scope="col" role="columnheader">Due</th>
                  <th scope="col" role="columnheader">Payments</th>
                  <th scope="col" role="columnheader">Status</th>
                </tr>
              </thead>
              <tbody role="rowgroup">
                {v.invoices.map((i) => (
                  <tr key={i.number} role="row">
                    <th scope="row" role="rowheader">
                      {/* The number read whole, never broken at its hyphens; the words before it may wrap. */}
                      {i.href ? (
                        <a href={i.href} target="_blank" rel="noopener">
                          {DOCUMENT[i.kind === 'credit_note' ? 'credit_note' : `${i.kind}_invoice`] ?? 'Invoice'} <span class="nowrap">{i.number}</span>
                        </a>
                      ) : (
                        <span class="nowrap">{i.number}</span>
                      )}
                    </th>
                    <td role="cell" data-label="Amount" class="num">{formatMoney(i.amount, i.currency)}</td>
                    <td role="cell" data-label="Due">{dueInWords(i)}</td>
                    <td role="cell" data-label="Payments">{paymentsInWords(i)}</td>
                    <td role="cell" data-label="Status">{invoiceState(i)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <PaidSoFar invoices={v.invoices} finalInvoiceToCome={v.finalInvoiceToCome} accepted={v.stage === 'invoicing'} />
        </Section>
      )}

      <Section title="Documents" id="documents">
        {v.documents.length === 0 ? (
          <p class="muted">
            {/* A project cancelled with no document was cancelled before its contract: none is coming. */}
            {v.stage === 'cancelled' ? 'No documents: the project was cancelled before a contract was made.' : 'No documents yet: the contract comes once the plan is agreed.'}
          </p>
        ) : (
          <ul class="documents">
            {v.documents.map((d) => (
              <li key={d.href}>
                <a href={d.href} target="_blank" rel="noopener">
                  {DOCUMENT[d.kind] ?? d.kind}
                  {d.number ? ` ${d.number}` : ''} (PDF)
                </a>{' '}
                <span class="muted">{formatDate(d.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}

/** What the page does with an answer the client sends on it. */
interface AnswerHandlers {
  /** The link's key: the answer is sent with it, as the page is read with it. */
  key: string;
  /** The answer was recorded: the page as it now stands, and what to confirm at its top. */
  answered: (next: View, confirmation: Confirmation) => void;
  /** The project refused the answer as things stand (409): the page reads where it stands now. */
  refused: () => void;
}

/** The answer just given on this page, as its top confirms it. */
interface Confirmation {
  kind: AnswerKind;
  at: string;
  /** Accepted: what the final invoice asks, as the page said before sending (0: no further invoice; unknown: not said). */
  finalInvoice?: { amount: number; currency?: string };
}

/** The client's rating, said in words: none is chosen for them. */
const RATINGS: { value: string; label: string }[] = [
  { value: '5', label: '5 — excellent' },
  { value: '4', label: '4 — good' },
  { value: '3', label: '3 — acceptable' },
  { value: '2', label: '2 — disappointing' },
  { value: '1', label: '1 — poor' },
];
const ratingInWords = (rating: number | undefined): string => RATINGS.find((r) => r.value === String(rating))?.label ?? `${rating} of 5`;

type AnswerField = 'rating' | 'comment' | 'name' | 'description';
/** Each form's fields, in the order it shows them (the first one missing gets the focus). */
const ANSWER_FIELDS: Record<AnswerKind, readonly AnswerField[]> = { accepted: ['rating', 'comment', 'name'], changes: ['description', 'name'], complaint: ['description', 'name'] };
/** What each form says at its description when it is empty (the acceptance has none). */
const DESCRIPTION_MISSING: Partial<Record<AnswerKind, string>> = { changes: 'Say what should change.', complaint: 'Say what is wrong.' };

type ChangeRequest = View['changeRequests'][number];
/**
 * The client's request for changes that waits for the manager while the work is with them (one at
 * a time): said where they answer, instead of the form to ask.
 */
const waitingRequest = (v: View): ChangeRequest | undefined => (v.stage === 'client_review' ? v.changeRequests.find((r) => r.status === 'waiting') : undefined);
const answerFieldId = (kind: AnswerKind, field: AnswerField): string => `answer-${kind}-${field}`;

/** What the final invoice asks once the client accepts, as far as the page knows it. */
const finalInvoiceOf = (v: View): Confirmation['finalInvoice'] =>
  v.finalInvoiceToCome === undefined ? undefined : { amount: v.finalInvoiceToCome, currency: v.plan?.currency ?? v.invoices[0]?.currency };

/**
 * One of the page's answer forms (accepting the work, or a complaint): what is typed, what is
 * missing (said at its field before anything is sent), and the request. One answer is sent once:
 * the button waits while it is on its way, and sent again after an answer that never came, it goes
 * with the same Idempotency-Key, so the project records it once. Refused, what was typed stays.
 */
function useAnswerForm(kind: AnswerKind, v: View, handlers: AnswerHandlers, afterSent?: () => void) {
  const [typed, setTyped] = useState<Record<AnswerField, string>>({ rating: '', comment: '', name: '', description: '' });
  const [unfilled, setUnfilled] = useState<Partial<Record<AnswerField, string>>>({});
  const requestKey = useRequestKey();
  const send = useAction(
    (answer: ClientAnswer) =>
      ok(
        api.POST('/api/client/projects/{id}/answers', {
          params: { path: { id: v.projectId }, query: { key: handlers.key }, header: { 'Idempotency-Key': requestKey.keyFor(answer) } },
          body: answer,
        }),
      ),
    (next) => {
      requestKey.succeeded();
      // The name stays for a next answer (a complaint later); what was answered goes.
      setTyped((t) => ({ ...t, rating: '', comment: '', description: '' }));
      const given = kind === 'changes' ? next.changeRequests[next.changeRequests.length - 1] : next.answeredHere.filter((a) => a.kind === kind).pop();
      handlers.answered(next, { kind, at: given?.at ?? new Date().toISOString(), ...(kind === 'accepted' && { finalInvoice: finalInvoiceOf(v) }) });
      afterSent?.();
    },
  );
  useEffect(() => {
    if (send.error?.status === 409) handlers.refused();
  }, [send.error]);
  // Set at once, not at the next render: a second submission in the same moment (a double click
  // that outruns the button's disabling) is not a second answer.
  const sending = useRef(false);
  const submit = () => {
    if (sending.current) return;
    const missing: Partial<Record<AnswerField, string>> = {
      ...(kind === 'accepted' && typed.rating === '' && { rating: 'Choose how you rate the work, from 5 (excellent) to 1 (poor).' }),
      ...(DESCRIPTION_MISSING[kind] !== undefined && typed.description.trim() === '' && { description: DESCRIPTION_MISSING[kind] }),
      ...(typed.name.trim() === '' && { name: 'Give your name, so that we know who answered.' }),
    };
    setUnfilled(missing);
    const first = ANSWER_FIELDS[kind].find((f) => missing[f]);
    if (first) {
      send.clearError();
      document.getElementById(answerFieldId(kind, first))?.focus();
      return;
    }
    const answer: ClientAnswer =
      kind === 'accepted' ? { kind, name: typed.name, rating: Number(typed.rating), comment: typed.comment } : { kind, name: typed.name, description: typed.description };
    sending.current = true;
    void send.act(answer).finally(() => {
      sending.current = false;
    });
  };
  return {
    kind,
    typed,
    pending: send.pending,
    error: send.error,
    /** Whether the form holds a refusal: it stays on the page with what was typed, even once the answer is no longer offered. */
    refused: send.error !== undefined,
    /**
     * Refused for good (the project no longer takes it, or the link no longer opens it): once the
     * page no longer offers the answer, the form stays only for what was typed, without a button
     * that could not succeed. (An answer that may not have arrived can always be sent again.)
     */
    refusedForGood: send.error?.status === 409 || send.error?.status === 404,
    at: (field: AnswerField): string | undefined => unfilled[field] ?? send.at(field),
    /** The field's setter: the value, and its refusal put away (it no longer says what is wrong). */
    set:
      (field: AnswerField) =>
      (value: string): void => {
        setUnfilled(({ [field]: _settled, ...rest }) => rest);
        send.editing(field, (typedNow: string) => setTyped((t) => ({ ...t, [field]: typedNow })))(value);
      },
    submit,
  };
}
type AnswerForm = ReturnType<typeof useAnswerForm>;

/**
 * "Your answer": while the work is with the client, they accept it here (a rating, a comment, their
 * name), told first what accepting brings, or ask for changes, told what happens then; while a
 * complaint is heard, they make one here. The acceptance is the form shown; asking for changes and
 * complaining are disclosures under it, so a phone shows one form at a time. A request for changes
 * waiting for the manager is said first, instead of the form to ask. Then the answers given on this
 * page and by whom, requests for changes with what became of them. Mounted whatever the project's
 * stage (it draws nothing when there is nothing to say), so what was typed outlives an answer the
 * project no longer takes.
 */
function YourAnswer({ view: v, contact, handlers }: { view: View; contact: ComponentChildren; handlers: AnswerHandlers }) {
  const accept = useAnswerForm('accepted', v, handlers);
  // Sent, the request waits for the manager: its form is gone (said as waiting instead); offered again once answered, it starts afresh, closed.
  const askChanges = useAnswerForm('changes', v, handlers);
  // A complaint sent, its form is put away (the confirmation at the top has the focus); a next one starts afresh.
  const complaintCard = useRef<HTMLDetailsElement>(null);
  const complain = useAnswerForm('complaint', v, handlers, () => {
    if (complaintCard.current) complaintCard.current.open = false;
  });
  const offersAccept = v.mayAnswer.accept || accept.refused;
  const offersChanges = v.mayAnswer.askForChanges || askChanges.refused;
  const offersComplaint = v.mayAnswer.complain || complain.refused;
  const waiting = waitingRequest(v);
  const given = givenHere(v, waiting);
  const offersAny = offersAccept || offersChanges || offersComplaint;
  if (!offersAny && given.length === 0 && waiting === undefined) return null;
  const toCome = finalInvoiceOf(v);
  return (
    <Section title={offersAny ? 'Your answer' : 'Your answers'} id="answer">
      {waiting && <ChangesWaiting request={waiting} contact={contact} />}

      {given.length > 0 && (
        <>
          {offersAny && <h3>Your answers so far</h3>}
          <ul class="answered-here">
            {given.map((g) => (
              <li key={`${g.kind === 'answer' ? g.answer.kind : g.kind}-${g.at}`}>
                {g.kind === 'changes' ? <ChangeRequestInWords request={g.request} view={v} /> : <AnswerInWords answer={g.answer} />}
              </li>
            ))}
          </ul>
        </>
      )}

      {offersAccept && (
        <AnswerFormShell form={accept} offered={v.mayAnswer.accept} title="Accept the work" button="Accept the work" sending="Sending your acceptance…" manager={v.manager.name}>
          <div class="rating-choices">
            <Choices
              id={answerFieldId('accepted', 'rating')}
              legend="How do you rate the work?"
              type="radio"
              options={RATINGS}
              selected={accept.typed.rating === '' ? [] : [accept.typed.rating]}
              onChange={([rating]) => accept.set('rating')(rating ?? '')}
              error={accept.at('rating')}
            />
          </div>
          <TextArea id={answerFieldId('accepted', 'comment')} label="Comment (optional)" value={accept.typed.comment} onValue={accept.set('comment')} error={accept.at('comment')} rows={3} />
          <YourName form={accept} kind="accepted" hint={`Who at ${v.clientName} accepts the work.`} />
          {/* Said before sending (while it is true: not of a form kept for its refusal): accepting ends the review, and the papers follow. */}
          {v.mayAnswer.accept && (
            <p class="answer-brings">
              Accepting ends your review of the work. We then e-mail you the acceptance act to sign
              {toCome === undefined
                ? ' and the final invoice.'
                : toCome.amount > 0
                  ? ` and the final invoice, of ${formatMoney(toCome.amount, toCome.currency)}.`
                  : '; no further invoice comes for the agreed work.'}
            </p>
          )}
        </AnswerFormShell>
      )}

      {offersChanges && (
        <details class="answer-changes">
          <summary>Something should change? Ask for changes</summary>
          <AnswerFormShell form={askChanges} offered={v.mayAnswer.askForChanges} button="Ask for these changes" sending="Sending your request…" manager={v.manager.name}>
            <TextArea
              id={answerFieldId('changes', 'description')}
              label="What should change?"
              value={askChanges.typed.description}
              onValue={askChanges.set('description')}
              error={askChanges.at('description')}
              rows={4}
              required
            />
            <YourName form={askChanges} kind="changes" hint={`Who at ${v.clientName} asks for the changes.`} />
            {/* Said before sending, as what accepting brings is: who gets it, what they may do, and that the review period stops meanwhile. */}
            {v.mayAnswer.askForChanges && (
              <p class="answer-changes-brings">
                Your request goes to {contact}, who either plans a round of changes with you or answers you here. Meanwhile the review period is paused: the work does not
                count as accepted while you wait.
              </p>
            )}
          </AnswerFormShell>
        </details>
      )}

      {offersComplaint && (
        <details class="answer-complaint" ref={complaintCard}>
          <summary>Something is wrong? Make a complaint</summary>
          <AnswerFormShell form={complain} offered={v.mayAnswer.complain} button="Send the complaint" sending="Sending your complaint…" manager={v.manager.name}>
            <TextArea
              id={answerFieldId('complaint', 'description')}
              label="What is wrong?"
              hint={<>Your complaint goes to {contact}, who will answer you.</>}
              value={complain.typed.description}
              onValue={complain.set('description')}
              error={complain.at('description')}
              rows={4}
              required
            />
            <YourName form={complain} kind="complaint" hint={`Who at ${v.clientName} complains.`} />
          </AnswerFormShell>
        </details>
      )}
    </Section>
  );
}

/** What the client gave on this page, oldest first: acceptances and complaints, and requests for changes. */
type Given = { kind: 'answer'; at: string; answer: View['answeredHere'][number] } | { kind: 'changes'; at: string; request: ChangeRequest };

/** The answers and requests to list, oldest first: all but the request said as waiting above them. */
function givenHere(v: View, waiting: ChangeRequest | undefined): Given[] {
  return [
    ...v.answeredHere.map((answer): Given => ({ kind: 'answer', at: answer.at, answer })),
    ...v.changeRequests.filter((r) => r !== waiting).map((request): Given => ({ kind: 'changes', at: request.at, request })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** An acceptance or a complaint given on this page: when, by whom, what they wrote. */
function AnswerInWords({ answer: a }: { answer: View['answeredHere'][number] }) {
  const words = a.kind === 'accepted' ? a.comment : a.description;
  return (
    <>
      {a.kind === 'accepted' ? (
        <p>
          On {formatDate(a.at)}, <strong>{a.name}</strong> accepted the work, rating it <span class="nowrap">“{ratingInWords(a.rating)}”</span>.
        </p>
      ) : (
        <p>
          On {formatDate(a.at)}, <strong>{a.name}</strong> made a complaint:
        </p>
      )}
      {words && <p class="prewrap answered-words">“{words}”</p>}
    </>
  );
}

/**
 * A request for changes waiting for the manager, said where the client answers: what they asked,
 * when and by whom, and that the review period is paused until the manager answers; accepting and
 * complaining are still open to them below.
 */
function ChangesWaiting({ request: r, contact }: { request: ChangeRequest; contact: ComponentChildren }) {
  return (
    <div class="changes-waiting">
      <p>
        <strong>
          Your request for changes is with {contact} — the review period is paused until they answer.
        </strong>
      </p>
      <WhoAsked request={r} asked="asked" />
      <p class="prewrap answered-words">“{r.description}”</p>
      <p>They plan a round of changes with you, or answer you here. You can still accept the work or make a complaint below.</p>
    </div>
  );
}

/**
 * A request for changes listed with what became of it, in the client's words: a round of changes
 * planned for it (being worked on, while the latest round is), the manager's answer without a
 * round (quoted, with its day), the work accepted before they answered, or the project cancelled
 * before they did (it will not be answered).
 */
function ChangeRequestInWords({ request: r, view: v }: { request: ChangeRequest; view: View }) {
  const manager = v.manager.name;
  const answeredOn = formatDate(r.answeredAt);
  // Only the latest request's round can be the one under way (the client's view has no round numbers).
  const roundUnderWay = v.stage === 'in_production' && r === v.changeRequests[v.changeRequests.length - 1];
  let outcome: string;
  switch (r.status) {
    case 'waiting':
      outcome = `Waiting for ${manager}’s answer.`;
      break;
    case 'round_recorded':
      outcome = roundUnderWay ? `A round of changes is being worked on for it (planned on ${answeredOn}).` : `A round of changes was planned for it on ${answeredOn}.`;
      break;
    case 'declined':
      outcome = `${manager} answered on ${answeredOn}, without a round of changes:`;
      break;
    case 'accepted_instead':
      outcome = `The work was accepted before ${manager} answered.`;
      break;
    case 'project_cancelled':
      outcome = `Not answered: the project was cancelled on ${answeredOn}, before ${manager} answered.`;
      break;
  }
  return (
    <>
      <WhoAsked request={r} asked="asked for changes" />
      <p class="prewrap answered-words">“{r.description}”</p>
      <p class="change-request-outcome">
        {outcome}
        {r.extraPrice !== undefined && v.plan && ` It is beyond the rounds of changes included in the plan: ${formatMoney(r.extraPrice, v.plan.currency)} extra, on the final invoice.`}
      </p>
      {r.status === 'declined' && r.reply && <p class="prewrap answered-words change-request-reply">“{r.reply}”</p>}
    </>
  );
}

/**
 * The rounds of changes beyond the included ones, said with the agreed total they add to: "round 2
 * beyond them: €300.00 (€1,500.00 in all)" — what the final invoice will bill for them, known to
 * the client from the day each was agreed, not first on that invoice.
 */
function ExtraRounds({ plan }: { plan: NonNullable<View['plan']> }) {
  if (plan.extraRounds.length === 0) return null;
  const rounds = plan.extraRounds.map((r) => r.round);
  const prices = plan.extraRounds.map((r) => formatMoney(r.amount, plan.currency));
  return (
    <span class="extra-rounds">
      {' '}
      · {rounds.length === 1 ? 'round' : 'rounds'} {listInWords(rounds.map(String))} beyond them: {listInWords(prices)} (
      <strong>{formatMoney(plan.totalWithExtraRounds, plan.currency)}</strong> in all)
    </span>
  );
}

/**
 * Who asked for the changes, and when: on this page, or by mail or phone, noted here by their
 * account manager (the day is then the day it was noted, the one the page knows). Not by name: the
 * page knows the manager now, not the one who noted it (the project may have changed hands since).
 */
function WhoAsked({ request: r, asked }: { request: ChangeRequest; asked: string }) {
  return r.recordedByManager ? (
    <p>
      <strong>{r.name}</strong> {asked} by mail or phone, and your account manager noted it here on {formatDate(r.at)}:
    </p>
  ) : (
    <p>
      On {formatDate(r.at)}, <strong>{r.name}</strong> {asked}:
    </p>
  );
}

/** Who at the client answers: every answer names them (the link has no account behind it). */
function YourName({ form, kind, hint }: { form: AnswerForm; kind: AnswerKind; hint: string }) {
  return (
    <Input
      id={answerFieldId(kind, 'name')}
      label="Your name"
      hint={hint}
      value={form.typed.name}
      onValue={form.set('name')}
      error={form.at('name')}
      autoComplete="name"
      maxLength={200}
      required
    />
  );
}

/**
 * An answer form: its fields, the refusal the fields do not say (in the client's words, where the
 * form is), and the button, waiting while the answer is on its way.
 */
function AnswerFormShell({
  form,
  offered,
  title,
  button,
  sending,
  manager,
  children,
}: {
  form: AnswerForm;
  /** Whether the page offers this answer now (else the form is there for its refusal and what was typed). */
  offered: boolean;
  title?: string;
  button: string;
  sending: string;
  /** The manager's name, whom a refusal tells the client to write to. */
  manager: string;
  children: ComponentChildren;
}) {
  const atAField = ANSWER_FIELDS[form.kind].some((f) => form.error?.at(f));
  // Made once per refusal: the box takes the focus when it appears, not at every keystroke.
  const refusal = useMemo(() => (form.error && !atAField ? refusalInWords(form.error, manager) : undefined), [form.error]);
  return (
    <form
      class="answer-form"
      aria-labelledby={title ? `answer-${form.kind}-title` : undefined}
      onSubmit={(e) => {
        e.preventDefault();
        form.submit();
      }}
      noValidate
    >
      {title && <h3 id={`answer-${form.kind}-title`}>{title}</h3>}
      {children}
      <ProblemBox error={refusal} />
      {(offered || !form.refusedForGood) && (
        <button type="submit" class="button" disabled={form.pending} aria-disabled={form.pending || undefined}>
          {form.pending ? sending : button}
        </button>
      )}
    </form>
  );
}

/**
 * A refusal of the client's answer in their words: the project no longer takes it (409: the API
 * says why in the client's words already; the page adds that what they typed is not lost), the
 * link no longer opens the project (404: the API's words are for a page that opens nothing), or
 * the answer may not have arrived (no connection, a server's trouble), which sending again settles
 * without a second answer.
 */
function refusalInWords(error: ApiError, yourManager: string): ApiError {
  const kept = 'What you typed is kept here.';
  if (error.status === 409) return new ApiError(error.status, { ...error.problem, detail: `${error.problem.detail ?? ''} ${kept}`.trim() });
  if (error.status === 404) {
    return new ApiError(error.status, {
      ...error.problem,
      title: 'Your answer was not recorded',
      detail: `This link no longer opens your project. ${kept} Please ask ${yourManager} for the current link.`,
    });
  }
  if (error.status === 0 || error.status >= 500) {
    return new ApiError(error.status, {
      ...error.problem,
      title: 'Your answer may not have reached us',
      detail: 'The connection failed, or we could not answer in time. Please send it again: an answer sent twice is recorded once.',
    });
  }
  return error;
}

/** The answer just given, confirmed at the top of the page (and focused, so it is read out and seen). */
function AnswerConfirmation({ confirmation: c, contact }: { confirmation: Confirmation; contact: ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.focus();
  }, [c]);
  const invoice = c.finalInvoice;
  return (
    <div class="answer-confirmation" role="status" tabIndex={-1} ref={box}>
      {c.kind === 'accepted' ? (
        <p>
          <strong>Thank you — you accepted the work on {formatDate(c.at)}.</strong>{' '}
          {invoice !== undefined && invoice.amount === 0
            ? 'The acceptance act to sign follows by e-mail; no further invoice comes for the agreed work.'
            : `The acceptance act to sign and the final invoice${invoice ? ` (${formatMoney(invoice.amount, invoice.currency)})` : ''} follow by e-mail.`}
        </p>
      ) : c.kind === 'changes' ? (
        <p>
          <strong>Your request for changes was sent to {contact} on {formatDate(c.at)}.</strong> They plan a round of changes with you, or answer you here; until then the
          review period is paused, and the work does not count as accepted.
        </p>
      ) : (
        <p>
          <strong>
            Your complaint was sent to {contact}; they will answer you.
          </strong>
        </p>
      )}
    </div>
  );
}

/**
 * What the notice at the top asks of the client while the work is with them: to answer (by when,
 * while the review period runs), below, where they accept the work or ask for changes; the
 * manager's address for anything else. While changes they asked for wait for the manager: that,
 * and that the period is paused until they answer (there is no date to answer by).
 */
function ReviewAnswerNotice({ view: v, contact }: { view: View; contact: ComponentChildren }) {
  const below = <a href="#answer">Your answer</a>;
  if (waitingRequest(v)) {
    return (
      <p class="changes-waiting-notice">
        Your request for changes is with {contact}: the review period is paused until they answer. You can still accept the work below, under {below}.
      </p>
    );
  }
  return (
    <p>
      Please answer{v.respondBy ? ` by ${formatDate(v.respondBy)}` : ''}: accept it{v.mayAnswer.askForChanges ? ' or ask for changes' : ''} below, under {below}. For anything
      else, write to {contact}.
    </p>
  );
}

/**
 * The work waits for the prepayment: the invoice it waits for, and what is left to pay on it (said
 * as left to pay when part of it is paid already).
 */
function PrepaymentFirst({ waiting: w, invoices }: { waiting: NonNullable<View['waitingForPrepayment']>; invoices: View['invoices'] }) {
  const invoice = invoices.find((i) => i.number === w.invoiceNumber);
  const partly = invoice !== undefined && invoice.stillOwed < invoice.amount;
  return (
    <>
      The work starts once the prepayment invoice <span class="nowrap">{w.invoiceNumber}</span> ({formatMoney(w.stillOwed, w.currency)}
      {partly ? ' left to pay' : ''}) is paid: see below.
    </>
  );
}

/**
 * An invoice open again because their bank returned their payment, in their words: that it came
 * back (on the day of the last return), so it never reached the agency; what is open on it again,
 * and by when to pay it — or, its date gone by, when it was due (the page promises no new date).
 */
function CameBackInWords({ invoice: i }: { invoice: View['invoices'][number] }) {
  const cameBackOn = formatDate(i.returned[i.returned.length - 1].returnedAt);
  const owed = formatMoney(i.stillOwed, i.currency);
  const by = Date.parse(i.dueAt) < Date.now() ? `; it was due on ${formatDate(i.dueAt)}, so please pay it as soon as you can` : `, to pay by ${formatDate(i.dueAt)}`;
  return (
    <>
      Your payment for <span class="nowrap">{i.number}</span> came back from your bank on {cameBackOn}, so it has not reached us. {owed} is open on it again{by}: see below.
    </>
  );
}

/** A complaint named on the page by its start: enough to tell two of one day apart. */
const COMPLAINT_NAMED = 80;

/** Text cut to about `max` characters at a word's end, an ellipsis for the rest: the client reads words, not halves of them. */
function cutAtWord(text: string, max: number): string {
  const chars = Array.from(text.trim());
  if (chars.length <= max) return text.trim();
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  // A first word longer than half the room is cut where the room ends.
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–-]+$/, '')}…`;
}

/** The work of these departments, as the work list names it: "the Design and SEO work". */
const workOf = (parts: { department: View['work'][number]['department'] }[]): string => `the ${listInWords(parts.map((w) => DEPARTMENT_LABEL[w.department]))} work`;

/** Parts by the day a date of theirs falls on, in their order: "the Design work by 12 Dec and the SEO work by 14 Dec". */
function byDay<T extends { department: View['work'][number]['department'] }>(parts: T[], day: (part: T) => string, word: string): string {
  const days = new Map<string, T[]>();
  for (const part of parts) days.set(formatDate(day(part)), [...(days.get(formatDate(day(part))) ?? []), part]);
  return listInWords([...days].map(([shown, some]) => `${workOf(some)} ${word} ${shown}`));
}

/**
 * A complaint of the client's after completion being put right, in their words: which work is
 * redone (by department, as the work list names it), free of charge, and by when; once done, on
 * which day, and whom to tell if it is still not right. A fix past its date promises no date: the
 * page says it is late, as the work list does. Never what the departments were told to do.
 */
function PutRightInWords({ complaint: c, contact }: { complaint: View['complaintsBeingPutRight'][number]; contact: ComponentChildren }) {
  const about = `“${cutAtWord(c.complaintAbout, COMPLAINT_NAMED)}”`;
  const redone = c.work.filter((w) => w.redoneAt !== undefined);
  const redoing = c.work.filter((w) => w.redoneAt === undefined);
  const late = redoing.filter((w) => Date.parse(w.dueAt) < Date.now());
  const onTime = redoing.filter((w) => !late.includes(w));
  const done = redone.length > 0 ? `redid ${byDay(redone, (w) => w.redoneAt!, 'on')}` : undefined;
  const doing = redoing.length > 0 ? `are redoing ${listInWords([...(onTime.length > 0 ? [byDay(onTime, (w) => w.dueAt, 'by')] : []), ...(late.length > 0 ? [workOf(late)] : [])])}` : undefined;
  const lateDays = [...new Set(late.map((w) => formatDate(w.dueAt)))];
  // All of it late: "it", not the same work named twice over.
  const lateWork = late.length === c.work.length ? 'It' : workOf(late).replace(/^the/, 'The');
  return (
    <>
      About your complaint of {formatDate(c.complaintAt)} ({about}): we {[done, doing].filter(Boolean).join(', and ')}, free of charge.
      {late.length > 0 && ` ${lateWork} was planned for ${listInWords(lateDays)} and is running late: your account manager will tell you when to expect it.`}
      {redoing.length === 0 && <> If it is still not right, please tell {contact}.</>}
    </>
  );
}

/**
 * A compensation agreed for the client's complaint, in their words: how much, for which complaint
 * (by its day and what it was about), when it was agreed, and where it went — off an invoice (to come or issued), or
 * back by a credit note (what that took off unpaid invoices and refunded, as its row says).
 */
function CompensationInWords({ compensation: c, invoices }: { compensation: View['compensations'][number]; invoices: View['invoices'] }) {
  const money = (amount: number) => formatMoney(amount, c.currency);
  const number = c.invoiceNumber && <span class="nowrap">{c.invoiceNumber}</span>;
  // A cancelled project's bill could take off only what the work accepted allowed.
  const part = c.takenOff !== undefined && c.takenOff < c.amount ? `${money(c.takenOff)} of it ` : '';
  const about = `“${cutAtWord(c.complaintAbout, COMPLAINT_NAMED)}”`;
  const note = c.settledBy === 'credit_note' ? invoices.find((i) => i.number === c.invoiceNumber) : undefined;
  let where;
  switch (c.settledBy) {
    case 'final_invoice_to_come':
      where = <>it will be taken off your final invoice.</>;
      break;
    case 'invoice':
      where = (
        <>
          {part}taken off invoice {number}.
        </>
      );
      break;
    case 'nothing_left_to_bill':
      where = <>{part}taken off the price, so nothing more was invoiced.</>;
      break;
    case 'credit_note': {
      const parts = [
        ...(note?.setOffs ?? []).map((o) => `${money(o.amount)} taken off invoice ${o.invoiceNumber}`),
        ...(note && note.paid > 0 ? [`${money(note.paid)} refunded to you`] : []),
        ...(note && note.stillOwed > 0 ? [`${money(note.stillOwed)} to be refunded to you`] : []),
      ];
      where = (
        <>
          given back by credit note {number}
          {parts.length > 0 ? `: ${parts.join(', ')}.` : '.'}
        </>
      );
      break;
    }
  }
  return (
    <>
      <strong>{money(c.amount)}</strong> agreed on {formatDate(c.agreedAt)} to make up for your complaint of {formatDate(c.complaintAt)} ({about}): {where}
    </>
  );
}

/**
 * The money received on an invoice, each payment by its day (on a credit note: the refunds paid to
 * the client), and the payments their bank returned: why an invoice they paid is open again.
 */
function paymentsInWords(i: View['invoices'][number]) {
  if (i.payments.length === 0 && i.returned.length === 0) return <span class="muted">{i.kind !== 'credit_note' && i.status === 'open' ? 'None yet' : '—'}</span>;
  return (
    <>
      {i.payments.map((pay, n) => (
        <span key={`${pay.paidAt}-${n}`} class="payment">
          {n > 0 && <br />}
          {formatMoney(pay.amount, i.currency)} {i.kind === 'credit_note' ? 'refunded' : 'paid'} on <span class="nowrap">{formatDate(pay.paidAt)}</span>
        </span>
      ))}
      {i.returned.map((r, n) => (
        <span key={`returned-${r.returnedAt}-${n}`} class="payment payment-returned">
          {(i.payments.length > 0 || n > 0) && <br />}
          {formatMoney(r.amount, i.currency)} paid on <span class="nowrap">{formatDate(r.paidAt)}</span>: returned by your bank on{' '}
          <span class="nowrap">{formatDate(r.returnedAt)}</span>
        </span>
      ))}
    </>
  );
}

/**
 * What the client paid in all, and what is still to pay (credit notes and voided parts aside).
 * Before the final invoice, a paid prepayment is not the end of it: nothing is due now, and the
 * rest is invoiced once they accept the work (`finalInvoiceToCome`, the workflow's own sum) — or,
 * the work `accepted` (invoicing, the invoice not issued yet), is being invoiced now.
 */
function PaidSoFar({ invoices, finalInvoiceToCome: toCome, accepted }: { invoices: View['invoices']; finalInvoiceToCome?: number; accepted: boolean }) {
  const billed = invoices.filter((i) => i.kind !== 'credit_note');
  const currency = billed[0]?.currency;
  const paid = roundMoney(billed.reduce((n, i) => n + i.paid, 0), currency);
  const owed = roundMoney(billed.filter((i) => i.status === 'open').reduce((n, i) => n + i.stillOwed, 0), currency);
  if (paid === 0) return null;
  if (toCome === undefined) {
    return (
      <p class="paid-so-far">
        You have paid {formatMoney(paid, currency)} so far{owed > 0 ? `; ${formatMoney(owed, currency)} is still to pay.` : ', and nothing is left to pay.'}
      </p>
    );
  }
  // Nothing left to bill (a full prepayment, compensations): no invoice is coming at all. Else the
  // rest, invoiced once they accept the work — or, accepted (invoicing), being invoiced now.
  const rest =
    toCome <= 0
      ? 'no further invoice comes for the agreed work.'
      : accepted
        ? `the final invoice, for the rest, ${formatMoney(toCome, currency)}, is being made now that the work is accepted.`
        : `the rest, ${formatMoney(toCome, currency)}, is invoiced once you have accepted the work.`;
  return (
    <p class="paid-so-far">
      You have paid {formatMoney(paid, currency)} so far
      {owed > 0 ? `; ${formatMoney(owed, currency)} is still to pay, and ${rest}` : `. Nothing is due now${toCome > 0 && accepted ? '; ' : ', and '}${rest}`}
    </p>
  );
}

/** A refund still owed whose due date has passed: the agency is late paying it back. */
const refundLate = (dueAt: string): boolean => Date.parse(dueAt) < Date.now();

/**
 * Money the agency owes the client, or paid back to them, as the notice at the top says it — as
 * plainly as it says what they owe. From the credit notes (a cancellation's settlement, a
 * compensation): what is still to be refunded, by the earliest due date, and what was refunded.
 * A part taken off an unpaid invoice moved no money, so it is neither (its row says so).
 */
function RefundNotice({ invoices }: { invoices: View['invoices'] }) {
  const notes = invoices.filter((i) => i.kind === 'credit_note' && i.status !== 'void');
  const owed = notes.filter((i) => i.status === 'open' && i.stillOwed > 0);
  const refunded = notes.filter((i) => i.paid > 0);
  // A project bills in one currency: its budget's.
  const money = (amounts: number[]) => formatMoney(amounts.reduce((n, a) => n + a, 0), notes[0]?.currency);
  // Numbers read whole, never broken at their hyphens (as in the table below).
  const named = (some: View['invoices']) => (
    <>
      {some.length === 1 ? 'credit note' : 'credit notes'}{' '}
      {some.map((i, n) => (
        <span key={i.number}>
          {n > 0 && ', '}
          <span class="nowrap">{i.number}</span>
        </span>
      ))}
    </>
  );
  const by = owed.map((i) => i.dueAt).reduce<string | undefined>((a, b) => (a === undefined || Date.parse(b) < Date.parse(a) ? b : a), undefined);
  return (
    <>
      {by !== undefined && (
        <p>
          A refund of {money(owed.map((i) => i.stillOwed))} is owed to you ({named(owed)}):{' '}
          {/* Its date gone by, the page promises no date: it says when it was due, and that it is late. */}
          {refundLate(by)
            ? `it was due by ${formatDate(by)}; we are sorry it is late, and will pay it as soon as we can.`
            : `we will pay it by ${formatDate(by)}.`}
        </p>
      )}
      {refunded.length > 0 && (
        <p>
          {money(refunded.map((i) => i.paid))} {owed.length > 0 ? 'was refunded to you already' : 'was refunded to you'} ({named(refunded)}).
        </p>
      )}
    </>
  );
}

/**
 * What an invoice's "Due" cell says: when the client is to pay it. A credit note is not theirs to
 * pay: while a refund is owed on it, by when the agency pays it back; else nothing.
 */
function dueInWords(i: View['invoices'][number]) {
  // The date read whole: a narrow column breaks the words before it, not the date.
  if (i.kind !== 'credit_note') return <span class="nowrap">{formatDate(i.dueAt)}</span>;
  if (i.status === 'open' && i.stillOwed > 0) {
    return (
      <>
        {refundLate(i.dueAt) ? 'Refund was due' : 'Refund by'} <span class="nowrap">{formatDate(i.dueAt)}</span>
      </>
    );
  }
  return <span class="muted">—</span>;
}

/**
 * An invoice's state in the client's words, one fact a badge: what is paid or left to pay, and
 * what a credit note took off. A credit note taken off an unpaid invoice moves no money, so that
 * part is never "refunded", and the invoice it came off is not "Paid" as if the client paid it all
 * (the manager's page: "Set against …", "Paid, with a credit note").
 */
function invoiceState(i: View['invoices'][number]) {
  if (i.status === 'void') return <Badge tone="neutral">Cancelled</Badge>;
  const money = (amount: number) => formatMoney(amount, i.currency);
  const facts: { text: string; tone: 'neutral' | 'info' | 'good' | 'bad' }[] = [];
  if (i.kind === 'credit_note') {
    if (i.setOffs.length === 0 && i.status === 'paid') return <Badge tone="good">Refunded</Badge>;
    for (const o of i.setOffs) facts.push({ text: `${money(o.amount)} taken off invoice ${o.invoiceNumber}`, tone: 'good' });
    if (i.paid > 0) facts.push({ text: `${money(i.paid)} refunded to you`, tone: 'good' });
    if (i.stillOwed > 0) facts.push({ text: `${money(i.stillOwed)} to be refunded to you`, tone: 'info' });
  } else {
    if (i.status === 'paid' && i.setOffs.length === 0) {
      facts.push({ text: 'Paid', tone: 'good' });
    } else if (i.status === 'paid') {
      // Not "Paid": the client paid less than the amount, a credit note took off the rest.
      facts.push({ text: 'Nothing left to pay', tone: 'good' });
      if (i.paid > 0) facts.push({ text: `${money(i.paid)} paid by you`, tone: 'neutral' });
    } else {
      const late = Date.parse(i.dueAt) < Date.now();
      facts.push({ text: `${money(i.stillOwed)} to pay${late ? ' — past due' : ''}`, tone: late ? 'bad' : 'info' });
    }
    for (const o of i.setOffs) facts.push({ text: `${money(o.amount)} taken off by credit note ${o.invoiceNumber}`, tone: 'neutral' });
  }
  return (
    <>
      {facts.map((f, n) => (
        <span key={f.text}>
          {n > 0 && ' '}
          <Badge tone={f.tone}>{f.text}</Badge>
        </span>
      ))}
    </>
  );
}
