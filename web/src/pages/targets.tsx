/**
 * Leadership's sales plan: each manager's target for a period — a year, a quarter or a month —
 * set or changed here (PUT: saving the same figure again changes nothing), with what each has
 * brought in so far (the API counts it as the KPI report's sales plan does: net paid over the
 * target's period), which leads to the payments behind it, and back here. The KPI dashboard shows
 * how far each target is fulfilled. The period lives in the address, so a view can be bookmarked
 * or sent.
 */
import { useState } from 'preact/hooks';
import { api, ok, type Person, type Schemas } from '../api';
import { useAction, useName, useResource, useSession } from '../data';
import { formatDateTime, formatMoney, typedAmount } from '../format';
import { salesPlanMoneyHref } from '../kpi-period';
import { Link, navigate } from '../router';
import { clearFlash, flash, Input, Loading, PageHeader, ProblemBox } from '../ui';

type Target = Schemas['SalesTarget'];

/** The API's period pattern (api/schemas.ts, SALES_PERIOD_PATTERN). */
const PERIOD = /^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/;

/** The periods most often set, around today (UTC, as the API counts them). */
function nearbyPeriods(now = new Date()): { period: string; label: string }[] {
  const year = now.getUTCFullYear();
  const quarter = Math.floor(now.getUTCMonth() / 3) + 1;
  const next = quarter === 4 ? `${year + 1}-Q1` : `${year}-Q${quarter + 1}`;
  const month = `${year}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  return [
    { period: `${year}-Q${quarter}`, label: 'This quarter' },
    { period: next, label: 'Next quarter' },
    { period: month, label: 'This month' },
    { period: String(year), label: 'This year' },
  ];
}

export function SalesTargets({ query }: { query: URLSearchParams }) {
  const { people } = useSession();
  const nearby = nearbyPeriods();
  const asked = query.get('period') ?? '';
  const period = PERIOD.test(asked) ? asked : nearby[0].period;
  const [typed, setTyped] = useState(period);
  const [typedError, setTypedError] = useState<string | undefined>();
  // Each target comes with what it has brought in so far (`paid`, `fulfilment`): no KPI report needed.
  const targets = useResource(() => ok(api.GET('/api/reports/sales-targets', { params: { query: { period } } })), [period]);
  /** What this page's own actions left, by period and manager (null: removed): it outranks the list until the next load. */
  const [saved, setSaved] = useState<Record<string, Target | null>>({});
  const managers = [...people.values()].filter((p) => p.role === 'manager').sort((a, b) => a.name.localeCompare(b.name));
  const targetOf = (managerId: string): Target | undefined => {
    const key = `${period}:${managerId}`;
    return key in saved ? (saved[key] ?? undefined) : targets.data?.items.find((t) => t.managerId === managerId);
  };

  const show = (next: string) => {
    const value = next.trim().toUpperCase();
    // A new attempt: a target's "saved" message no longer stands above this one's outcome.
    clearFlash();
    if (!PERIOD.test(value)) {
      setTypedError('A year (2026), a quarter (2026-Q1) or a month (2026-03)');
      return;
    }
    setTypedError(undefined);
    setTyped(value);
    navigate(`/targets?period=${encodeURIComponent(value)}`, { replace: true });
  };

  return (
    <>
      <PageHeader title="Sales targets">
        <p>
          What each manager should bring in, as paid invoices, over {period}. <Link href="/kpis">KPIs</Link> show how far each is
          fulfilled.
        </p>
      </PageHeader>
      <form
        class="card filters-form period-form"
        aria-label="Period"
        onSubmit={(e) => {
          e.preventDefault();
          show(typed);
        }}
        noValidate
      >
        <Input id="target-period" label="Period" hint="A year, a quarter or a month: 2026, 2026-Q1, 2026-03" value={typed}
          onValue={(v) => {
            setTyped(v);
            setTypedError(undefined);
          }}
          error={typedError}
        />
        <div class="form-actions">
          <button type="submit" class="button button--secondary">
            Show
          </button>
        </div>
      </form>
      <nav class="meta-row period-links" aria-label="Periods near today">
        {nearby.map((n) => (
          <Link key={n.period} href={`/targets?period=${n.period}`} aria-current={n.period === period ? 'page' : undefined} onClick={() => setTyped(n.period)}>
            {n.label} ({n.period})
          </Link>
        ))}
      </nav>
      {targets.error && <ProblemBox error={targets.error} title="Could not load the targets" />}
      {!targets.data ? (
        !targets.error && <Loading what="Loading the targets" />
      ) : managers.length === 0 ? (
        <p class="empty">The people directory has no managers.</p>
      ) : (
        <ul class="target-list">
          {managers.map((m) => (
            <TargetCard
              key={`${period}:${m.id}`}
              manager={m}
              period={period}
              target={targetOf(m.id)}
              onSaved={(t) => setSaved({ ...saved, [`${period}:${m.id}`]: t ?? null })}
            />
          ))}
        </ul>
      )}
    </>
  );
}

function TargetCard(props: { manager: Person; period: string; target?: Target; onSaved: (t?: Target) => void }) {
  const { manager, period, target, onSaved } = props;
  const name = useName();
  const [amount, setAmount] = useState(target ? String(target.amount) : '');
  const [currency, setCurrency] = useState(target?.currency ?? 'EUR');
  const save = useAction(
    () =>
      ok(
        api.PUT('/api/reports/sales-targets/{managerId}/{period}', {
          params: { path: { managerId: manager.id, period } },
          // An empty amount goes as it is, for the API to name the field; one that is not an amount
          // ("12,5x") is refused here, at the field. A comma decimal ("1500,50") is read.
          body: { amount: amount.trim() === '' ? Number.NaN : typedAmount(amount, 'amount', currency.trim().toUpperCase()), currency: currency.trim().toUpperCase() },
        }),
      ),
    (t) => {
      flash(`${manager.name}’s target for ${period}: ${formatMoney(t.amount, t.currency)}.`);
      onSaved(t);
    },
  );
  const remove = useAction(
    () => ok(api.DELETE('/api/reports/sales-targets/{managerId}/{period}', { params: { path: { managerId: manager.id, period } } })),
    () => {
      flash(`${manager.name} has no target for ${period} now.`);
      setAmount('');
      onSaved(undefined);
    },
  );
  const fid = `target-${manager.id}`;
  const err = (field: string) => save.at(field);
  return (
    <li class="card target" aria-labelledby={`${fid}-title`}>
      <h2 id={`${fid}-title`}>{manager.name}</h2>
      <p class="meta-row">
        {target ? (
          <span>
            Target {formatMoney(target.amount, target.currency)} · set by {name(target.setBy)} {formatDateTime(target.setAt)}
          </span>
        ) : (
          <span class="muted">No target for {period} yet.</span>
        )}
      </p>
      {target && (
        // The target as set now (the answer to a change made here counts it afresh), against its net paid.
        <p class="meta-row target-paid">
          <span>
            Net paid so far {formatMoney(target.paid, target.currency)} ({Math.round(target.fulfilment * 1000) / 10}% of the target)
          </span>
          {/* Nothing paid yet: nothing to list (as the KPI page's bars at 0 lead nowhere). */}
          {target.paid !== 0 && <Link href={salesPlanMoneyHref(target, `/targets?period=${encodeURIComponent(period)}`)}>See the payments</Link>}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.act();
        }}
        noValidate
      >
        <ProblemBox error={remove.error ?? (save.error && !save.error.at('amount') && !save.error.at('currency') ? save.error : undefined)} />
        <div class="filters-form">
          <Input id={`${fid}-amount`} label="Amount" inputMode="decimal" value={amount}
            onValue={save.editing('amount', setAmount)}
            error={err('amount')}
          />
          <Input id={`${fid}-currency`} class="field--short" label="Currency" value={currency}
            onValue={save.editing('currency', setCurrency)}
            maxLength={3}
            error={err('currency')}
          />
          <div class="form-actions">
            <button type="submit" class="button" disabled={save.pending || remove.pending}>
              {target ? 'Change target' : 'Set target'}
            </button>
            {target && (
              <button type="button" class="button button--secondary" disabled={save.pending || remove.pending} onClick={() => void remove.act()}>
                Remove
              </button>
            )}
          </div>
        </div>
      </form>
    </li>
  );
}
