/**
 * Intake: the client's request becomes a project. The manager names the client, the work, the
 * departments it needs, the budget and the date the client wants; policies (approval SLA, payment
 * terms...) default to the agency's and may be set per project. The plan comes next.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, DEPARTMENTS, idempotencyKey, ok, type Schemas } from '../api';
import { useAction, useResource } from '../data';
import { DEPARTMENT_LABEL, formatDate, idFromName, plural, refusal, sameName, typedAmount } from '../format';
import { navigate, useUnsavedWork } from '../router';
import { Choices, fieldId, flash, Input, PageHeader, ProblemBox, Select, TextArea } from '../ui';

type ProjectRequest = Schemas['ProjectRequest'];
type KnownClient = Schemas['ClientListItem'];
type PolicyKey = Exclude<keyof NonNullable<ProjectRequest['policy']>, 'startAfterPrepayment'>;

const POLICIES: { key: PolicyKey; label: string }[] = [
  { key: 'planningSla', label: 'Remind me of a request still without a plan after' },
  { key: 'approvalSla', label: 'Remind leadership of an undecided plan after' },
  { key: 'escalationSla', label: 'Escalate an undecided plan after' },
  { key: 'reminderLead', label: 'Remind staff before a task is due by' },
  { key: 'overdueGrace', label: 'Escalate an overdue task (or an overdue review) after' },
  { key: 'reviewSla', label: 'Remind the manager of a delivery not reviewed after' },
  { key: 'acceptanceWindow', label: 'Wait for the client’s response for' },
  { key: 'paymentTerms', label: 'Invoices are due after' },
  { key: 'paymentEscalation', label: 'Escalate an unpaid invoice after its due date by' },
  { key: 'complaintResolution', label: 'Bring up an unresolved complaint after' },
  { key: 'complaintWindow', label: 'Hear complaints after completion for' },
];

const id = (field: string) => fieldId('np', field);

const LABELS: Record<string, string> = {
  'client.name': 'Client name',
  'client.id': 'Client id',
  'client.known': 'Client',
  'client.email': 'Client email',
  'client.segment': 'Segment',
  title: 'Project title',
  brief: 'Brief',
  departments: 'Departments needed',
  'budget.amount': 'Budget',
  'budget.currency': 'Currency',
  desiredDeadline: 'Client wants it by',
  'policy.startAfterPrepayment': 'Start work only after the prepayment is paid',
};

/** The fields as the form shows them, top to bottom (the API checks the client's id before its name, the policies in another order). */
const FORM_ORDER = [
  'client.name',
  'client.id',
  'client.known',
  'client.email',
  'client.segment',
  'title',
  'brief',
  'departments',
  'budget.amount',
  'budget.currency',
  'desiredDeadline',
  ...POLICIES.map((p) => `policy.${p.key}`),
  'policy.startAfterPrepayment',
];
/** A field's place in the form; one inside a field (`departments[1]`) or around one (`budget`) goes with it. */
const placeInForm = (field: string): number =>
  FORM_ORDER.findIndex((f) => field === f || field.startsWith(`${f}[`) || field.startsWith(`${f}.`) || f.startsWith(`${field}.`));

export function NewProject() {
  const [key] = useState(idempotencyKey);
  const [clientName, setClientName] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientIdEdited, setClientIdEdited] = useState(false);
  const [segment, setSegment] = useState<'B2B' | 'B2C'>('B2B');
  const [email, setEmail] = useState('');
  /** The known client whose details fill the fields, until the manager changes its id or says it is not this client. */
  const [known, setKnown] = useState<KnownClient | undefined>();
  /** A name the manager said is a new client's, though a known client has it too. */
  const [newClientNamed, setNewClientNamed] = useState<string | undefined>();
  const [title, setTitle] = useState('');
  const [brief, setBrief] = useState('');
  const [departments, setDepartments] = useState<string[]>([]);
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [deadline, setDeadline] = useState('');
  const [policy, setPolicy] = useState<Partial<Record<PolicyKey, string>>>({});
  const [startAfterPrepayment, setStartAfterPrepayment] = useState('');

  const directory = useKnownClients(clientName, clientId, known);
  // A known client of the same name under another id, not picked: most likely the same client,
  // whose earlier projects have an id made by an older rule ("mu-ller" for "Müller") or typed by
  // hand. Filed under a new id, the KPIs would count it as two clients; the manager says which.
  // Not asked when the form's id is already a client's of that name (both are known: the list says whose the id is).
  const sameNameClient =
    known || (newClientNamed !== undefined && sameName(newClientNamed, clientName)) || (directory.sameId && sameName(directory.sameId.name, clientName))
      ? undefined
      : directory.found?.find((c) => c.clientId !== clientId.trim() && sameName(c.name, clientName));

  const create = useAction(
    async () => {
      if (sameNameClient) {
        throw refusal(
          'client.known',
          `${sameNameClient.name} is already a client`,
          `use ${sameNameClient.name} (id ${sameNameClient.clientId}), or say this is a new client of the same name`,
        );
      }
      // A budget that cannot be read is refused here; the request still goes (with no amount, so
      // it cannot be created) to learn what else is wrong: every problem in one answer.
      let unreadable: ApiError | undefined;
      let budget = Number.NaN;
      if (amount.trim() !== '') {
        try {
          budget = typedAmount(amount, 'budget.amount', currency.trim().toUpperCase());
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          unreadable = err;
        }
      }
      const overrides = Object.fromEntries(Object.entries(policy).filter(([, v]) => v && v.trim() !== '')) as Record<PolicyKey, string>;
      const body: ProjectRequest = {
        client: { id: clientId, name: clientName, segment, email },
        title,
        brief,
        departments: departments as ProjectRequest['departments'],
        // Typed text, not a number input: a comma decimal ("2500,50") is read, not dropped by the browser;
        // empty goes as it is, for the API to say the budget is required.
        budget: { amount: budget, currency: currency.trim().toUpperCase() },
        desiredDeadline: deadline ? new Date(`${deadline}T17:00`).toISOString() : '',
        ...((Object.keys(overrides).length > 0 || startAfterPrepayment) && {
          policy: { ...overrides, ...(startAfterPrepayment && { startAfterPrepayment: startAfterPrepayment === 'yes' }) },
        }),
      };
      try {
        return await ok(api.POST('/api/projects', { params: { header: { 'Idempotency-Key': key } }, body }));
      } catch (err) {
        if (!unreadable || !(err instanceof ApiError) || err.status !== 400) throw err;
        const others = (err.problem.errors ?? []).filter((e) => e.field !== 'budget.amount');
        throw new ApiError(400, { ...err.problem, errors: [...others, ...(unreadable.problem.errors ?? [])] });
      }
    },
    (project) => {
      flash(`Project “${project.title ?? title}” opened. Draft its plan now.`);
      navigate(`/projects/${project.projectId}/plan`, { force: true });
    },
  );
  /** A field's refusal until the field is changed again: a corrected field no longer says what was wrong with it (nor does the list above). */
  const err = (field: string) => create.at(field);
  const editing = create.editing;
  /**
   * After a choice about the client (a known one picked, "Use …", a new client of the same name, "Not
   * this client"), the button pressed goes with the question it answered: the keyboard goes on to the
   * next field to fill — the client's email while there is none, else the project's title (after "Not
   * this client", the id when the one made from the name is that client's) — rather than fall to the
   * page. The client's name and id stay in their fields, and what was chosen is said (read out) where
   * the button was.
   */
  const goOnFromClient = (emailNow: string) => document.getElementById(id(emailNow.trim() === '' ? 'client.email' : 'title'))?.focus();
  const pickKnown = (c: KnownClient) => {
    setKnown(c);
    setClientName(c.name);
    setClientId(c.clientId);
    setClientIdEdited(true);
    setEmail(c.email ?? '');
    setSegment(c.segment);
    goOnFromClient(c.email ?? '');
  };
  // A submission stopped by the question takes the keyboard to it (after the summary's own focus:
  // the form's effects run after those of the problem box inside it).
  useEffect(() => {
    if (create.error?.at('client.known')) document.getElementById(id('client.known'))?.focus();
  }, [create.error]);
  useUnsavedWork([clientName, email, title, brief, amount].some((v) => v.trim() !== ''));

  return (
    <>
      <PageHeader title="New project">
        <p>Take the client’s request. The plan comes next.</p>
      </PageHeader>
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          void create.act();
        }}
        noValidate
      >
        <ProblemBox
          error={create.error}
          fieldIds={(f) => id(f.replace(/\[\d+\]$/, ''))}
          fieldLabel={(f) => LABELS[f.replace(/\[\d+\]$/, '')] ?? POLICIES.find((p) => `policy.${p.key}` === f)?.label}
          fieldOrder={placeInForm}
          settled={(field) => (field === 'client.known' ? !sameNameClient : create.error?.at(field) !== undefined && !err(field))}
          title="The project was not opened"
        />
        <fieldset>
          <legend>Client</legend>
          <div class="form-row">
            <Input
              id={id('client.name')}
              label="Client name"
              value={clientName}
              onValue={editing('client.name', (v: string) => {
                setClientName(v);
                // The id made from the name changes with it: a refusal of the id before no longer stands either.
                if (!clientIdEdited) editing('client.id', setClientId)(idFromName(v, 'client', 100));
              })}
              autoComplete="off"
              error={err('client.name')}
              required
            />
            <Input
              id={id('client.id')}
              label="Client id"
              hint="Stable id of the client across projects."
              value={clientId}
              onValue={editing('client.id', (v: string) => {
                setClientId(v);
                setClientIdEdited(true);
                if (known && v !== known.clientId) setKnown(undefined);
              })}
              error={err('client.id')}
              required
            />
          </div>
          {sameNameClient && (
            <SameNameQuestion
              client={sameNameClient}
              onUse={() => pickKnown(sameNameClient)}
              onNew={() => {
                setNewClientNamed(clientName);
                goOnFromClient(email);
              }}
            />
          )}
          <KnownClients
            found={directory.found}
            sameId={directory.sameId}
            picked={known}
            onPick={pickKnown}
            onNew={() => {
              // Nothing of the known client stays: a new client's mail must not go to its address.
              // Its name may: the manager has just said whose it is, so it is not asked again.
              setNewClientNamed(clientName);
              setKnown(undefined);
              setEmail('');
              setSegment('B2B');
              const madeId = idFromName(clientName, 'client', 100);
              setClientId(madeId);
              setClientIdEdited(false);
              // The id made from the name is often the known client's own: then it is the field to change next.
              if (madeId === known?.clientId) document.getElementById(id('client.id'))?.focus();
              else goOnFromClient('');
            }}
          />
          <div class="form-row">
            <Input id={id('client.email')} label="Client email" type="email" value={email} onValue={editing('client.email', setEmail)} error={err('client.email')} required />
            <Choices
              id={id('client.segment')}
              legend="Segment"
              type="radio"
              selected={[segment]}
              onChange={editing('client.segment', ([s]: string[]) => setSegment(s as 'B2B' | 'B2C'))}
              options={[
                { value: 'B2B', label: 'B2B (company)' },
                { value: 'B2C', label: 'B2C (consumer)' },
              ]}
              error={err('client.segment')}
            />
          </div>
        </fieldset>
        <fieldset>
          <legend>The request</legend>
          <Input id={id('title')} label="Project title" value={title} onValue={editing('title', setTitle)} error={err('title')} required />
          <TextArea id={id('brief')} label="Brief" hint="What the client needs, in their words." value={brief} onValue={editing('brief', setBrief)} error={err('brief')} rows={4} required />
          <Choices
            id={id('departments')}
            legend="Departments needed"
            type="checkbox"
            selected={departments}
            onChange={editing('departments', setDepartments)}
            options={DEPARTMENTS.map((d) => ({ value: d, label: DEPARTMENT_LABEL[d] }))}
            error={err('departments')}
          />
          <div class="form-row">
            <Input id={id('budget.amount')} label="Budget" inputMode="decimal" value={amount} onValue={editing('budget.amount', setAmount)} error={err('budget.amount')} required />
            <Input id={id('budget.currency')} label="Currency" value={currency} onValue={editing('budget.currency', setCurrency)} error={err('budget.currency')} maxLength={3} required />
            <Input id={id('desiredDeadline')} label="Client wants it by" type="date" value={deadline} onValue={editing('desiredDeadline', setDeadline)} error={err('desiredDeadline')} required />
          </div>
        </fieldset>
        {/* Open while a policy is refused, though corrected since: it does not close under the typing. */}
        <details class="advanced" open={POLICIES.some((p) => create.error?.at(`policy.${p.key}`)) || undefined}>
          <summary>Policies for this project (optional)</summary>
          <p class="hint">Durations such as 90s, 15m, 24h or 5d. Empty = the agency’s default.</p>
          <div class="form-grid">
            {POLICIES.map((p) => (
              <Input
                key={p.key}
                id={id(`policy.${p.key}`)}
                label={p.label}
                value={policy[p.key] ?? ''}
                onValue={editing(`policy.${p.key}`, (v: string) => setPolicy({ ...policy, [p.key]: v }))}
                error={err(`policy.${p.key}`)}
                placeholder="default"
              />
            ))}
            <Select
              id={id('policy.startAfterPrepayment')}
              label="Start work only after the prepayment is paid"
              value={startAfterPrepayment}
              onValue={editing('policy.startAfterPrepayment', setStartAfterPrepayment)}
              placeholder="Agency default"
              options={[
                { value: 'yes', label: 'Yes' },
                { value: 'no', label: 'No' },
              ]}
              error={err('policy.startAfterPrepayment')}
            />
          </div>
        </details>
        <div class="form-actions">
          <button type="submit" class="button" disabled={create.pending}>
            {create.pending ? 'Opening…' : 'Open the project'}
          </button>
        </div>
      </form>
    </>
  );
}

/** How long typing pauses before the directory is asked. */
const SEARCH_PAUSE_MS = 250;

/**
 * The agency's known clients whose name or id holds what the manager typed (`found`), and the one
 * whose id is the form's (`sameId`), asked once typing pauses; nothing while one is picked.
 */
function useKnownClients(search: string, clientId: string, picked: KnownClient | undefined): { found?: KnownClient[]; sameId?: KnownClient } {
  const [query, setQuery] = useState('');
  const [idQuery, setIdQuery] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => {
      // Spaces as one: "müller  bäckerei" finds "Müller Bäckerei".
      setQuery(search.trim().replace(/\s+/g, ' '));
      setIdQuery(clientId.trim());
    }, SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [search, clientId]);
  const lookUp = async (query: { q?: string; id?: string }) => (picked ? [] : (await ok(api.GET('/api/clients', { params: { query: { ...query, limit: 5 } } }))).items);
  const found = useResource(async () => (query.length < 2 ? [] : lookUp({ q: query })), [query, picked?.clientId]);
  // The id is looked up on its own too: "acme" typed as the id of "Northwind Traders" must be flagged.
  // (An id the directory's filter refuses — quotes, backslashes — is no known client's either.)
  const sameIdFound = useResource(async () => (idQuery === '' || /['"\\]/.test(idQuery) ? undefined : (await lookUp({ id: idQuery }))[0]), [idQuery, picked?.clientId]);
  return { found: found.data, sameId: sameIdFound.data?.clientId === clientId.trim() ? sameIdFound.data : undefined };
}

const projects = (n: number) => plural(n, 'project');

/**
 * The known client with the name the manager typed, under another id: the same client (then its
 * id, as the list's button would), or a new client of the same name (then the form's id stays).
 * The form is not sent while this is unanswered.
 */
function SameNameQuestion({ client, onUse, onNew }: { client: KnownClient; onUse: () => void; onNew: () => void }) {
  const question = id('client.known');
  return (
    <div class="same-name" id={question} role="group" aria-labelledby={`${question}-text`} tabIndex={-1}>
      <p id={`${question}-text`} role="alert">
        <strong>{client.name}</strong> is already a client (id {client.clientId}, {projects(client.projects)}). Use that client, or say this is a new client
        of the same name.
      </p>
      <p class="same-name-answers">
        <button type="button" class="button button--secondary" onClick={onUse}>
          Use {client.name}
        </button>{' '}
        <button type="button" class="button button--quiet" onClick={onNew}>
          A new client of the same name
        </button>
      </p>
    </div>
  );
}

/**
 * The agency's known clients whose name or id holds what the manager typed, then those whose name
 * is like it (a word a letter off): picking one fills the client's fields, so a returning client's
 * project carries the id of its earlier ones (regular clients and client spend count by id). Once
 * picked, it says so, with a way back to a new client.
 */
function KnownClients({
  found,
  sameId,
  picked,
  onPick,
  onNew,
}: {
  found: KnownClient[] | undefined;
  /** The known client whose id is the form's: not picked, the project would be filed under that client. */
  sameId: KnownClient | undefined;
  picked: KnownClient | undefined;
  onPick: (client: KnownClient) => void;
  onNew: () => void;
}) {

  if (picked) {
    return (
      <p class="known-client" role="status">
        Returning client: <strong>{picked.name}</strong> ({picked.clientId}), {projects(picked.projects)} so far, the newest opened{' '}
        {formatDate(picked.lastIntakeAt)}.{' '}
        <button type="button" class="button button--quiet" onClick={onNew}>
          Not this client
        </button>
      </p>
    );
  }
  // The one with the same id first: it is the one to pick, if any.
  const items = [...(sameId ? [sameId] : []), ...(found ?? []).filter((c) => c.clientId !== sameId?.clientId)];
  if (items.length === 0) return null;
  // Names found only with a word a letter off ("Acmee" for "ACME Ltd") are asked about apart, after
  // the ones holding what was typed: most are the same client mistyped, some another company.
  const similar = items.filter((c) => c !== sameId && c.match === 'similar');
  const holding = items.filter((c) => !similar.includes(c));
  const choices = (clients: KnownClient[]) => (
    <ul>
      {clients.map((c) => (
        <li key={c.clientId}>
          <button type="button" class="button button--secondary" onClick={() => onPick(c)}>
            {c.name}
          </button>{' '}
          <span class="hint">
            {c.clientId} · {c.segment}
            {c.email ? ` · ${c.email}` : ''} · {projects(c.projects)}
          </span>
        </li>
      ))}
    </ul>
  );
  return (
    <div class="known-clients" role="group" aria-label="Known clients">
      {sameId && (
        <p class="field-error" role="alert">
          The client id {sameId.clientId} is {sameId.name}’s. Pick {sameId.name} below if it is them, or change the client id for a new client.
        </p>
      )}
      {holding.length > 0 && (
        <>
          <p class="hint">Known clients — pick one to use the same client id as its earlier projects:</p>
          {choices(holding)}
        </>
      )}
      {similar.length > 0 && (
        <>
          <p class="hint">
            {similar.length === 1
              ? 'Is this the client? A known client with a name like it — pick it to use its client id:'
              : 'Is one of these the client? Known clients with names like it — pick one to use its client id:'}
          </p>
          {choices(similar)}
        </>
      )}
    </div>
  );
}
