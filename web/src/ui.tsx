/**
 * The few building blocks every page uses: labelled form controls that show the API's message for
 * their field, problem boxes, badges, due dates, timelines. Every control has a label, every
 * error is tied to its control (aria-describedby) and announced.
 */
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { humanize, type ApiError, type Stage, type TaskStatus } from './api';
import { dueState, formatDateTime, relative, STAGE_LABEL, TASK_STATUS_LABEL, eventLabel, plural } from './format';

// ---------------------------------------------------------------------------------------------
// Form controls
// ---------------------------------------------------------------------------------------------

interface ControlProps {
  id: string;
  label: ComponentChildren;
  error?: string;
  hint?: ComponentChildren;
  class?: string;
}

function describedBy(id: string, error?: string, hint?: ComponentChildren, detail?: ComponentChildren): string | undefined {
  const ids = [hint ? `${id}-hint` : '', detail ? `${id}-detail` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function FieldShell({ id, label, error, hint, detail, class: cls, children }: ControlProps & { detail?: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class={`field${error ? ' field--invalid' : ''}${cls ? ` ${cls}` : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {detail && (
        <p class="field-detail" id={`${id}-detail`}>
          {detail}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The native attributes the portal's inputs use. */
interface NativeInput {
  type?: 'text' | 'email' | 'number' | 'password' | 'date' | 'datetime-local';
  min?: string;
  max?: string;
  step?: string;
  placeholder?: string;
  required?: boolean;
  disabled?: boolean;
  readOnly?: boolean;
  autoComplete?: string;
  maxLength?: number;
  /** `decimal`: a phone's number pad, for amounts typed as text. */
  inputMode?: 'decimal' | 'numeric' | 'email' | 'text';
}

type InputProps = ControlProps &
  NativeInput & {
    value: string;
    onValue: (value: string) => void;
  };

export function Input({ id, label, error, hint, class: cls, value, onValue, type = 'text', ...rest }: InputProps) {
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} class={cls}>
      <input
        // Preact types each input type apart; the native attributes above fit them all.
        type={type as 'text'}
        id={id}
        name={id}
        value={value}
        onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...rest}
      />
    </FieldShell>
  );
}

type TextAreaProps = ControlProps & {
  value: string;
  onValue: (value: string) => void;
  rows?: number;
  required?: boolean;
  placeholder?: string;
  /** Shown to read and copy, not to edit (what was typed for a form that no longer applies). */
  readOnly?: boolean;
};

export function TextArea({ id, label, error, hint, class: cls, value, onValue, rows = 3, ...rest }: TextAreaProps) {
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} class={cls}>
      <textarea
        id={id}
        name={id}
        rows={rows}
        value={value}
        onInput={(e) => onValue((e.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...rest}
      />
    </FieldShell>
  );
}

type SelectProps = ControlProps & {
  value: string;
  onValue: (value: string) => void;
  options: { value: string; label: string }[];
  required?: boolean;
  placeholder?: string;
  /**
   * What the chosen option stands for, said under the box (and read with it): the options stay
   * short enough to show whole on a phone, where a closed select cuts its text at the edge.
   */
  detail?: ComponentChildren;
};

export function Select({ id, label, error, hint, detail, class: cls, value, onValue, options, required, placeholder }: SelectProps) {
  return (
    <FieldShell id={id} label={label} error={error} hint={hint} detail={detail} class={cls}>
      <select
        id={id}
        name={id}
        value={value}
        required={required}
        onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, error, hint, detail)}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** A group of checkboxes or radios under one legend; the error names the whole group. */
export function Choices({
  id,
  legend,
  type,
  options,
  selected,
  onChange,
  error,
  hint,
}: {
  id: string;
  legend: ComponentChildren;
  type: 'checkbox' | 'radio';
  options: { value: string; label: ComponentChildren }[];
  selected: string[];
  onChange: (selected: string[]) => void;
  error?: string;
  hint?: ComponentChildren;
}) {
  return (
    <fieldset id={id} class={`choices${error ? ' field--invalid' : ''}`} aria-describedby={describedBy(id, error, hint)} tabIndex={-1}>
      <legend>{legend}</legend>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <div class="choices-options">
        {options.map((o) => {
          const optionId = `${id}-${o.value}`;
          const checked = selected.includes(o.value);
          return (
            <label key={o.value} for={optionId} class="choice">
              <input
                id={optionId}
                type={type}
                name={id}
                value={o.value}
                checked={checked}
                onChange={() =>
                  onChange(type === 'radio' ? [o.value] : checked ? selected.filter((v) => v !== o.value) : [...selected, o.value])
                }
              />
              <span>{o.label}</span>
            </label>
          );
        })}
        {options.length === 0 && <span class="muted">none to choose from</span>}
      </div>
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

// ---------------------------------------------------------------------------------------------
// Disclosures: Escape closes the one the keyboard is in
// ---------------------------------------------------------------------------------------------

/**
 * Escape closes the open `<details>` the focus is in (a "more" section, a form folded in one) and
 * gives the focus back to its summary, as a disclosure does for a keyboard (browsers only toggle one
 * with Enter or Space on its summary). One listener for the whole portal (main.tsx), so every
 * disclosure behaves alike. It leaves alone an Escape something else took (`defaultPrevented`), one
 * typed into an input method's composition, and one meant for an open dialog inside the disclosure.
 * A date field's calendar or a select's list, when open, is the browser's own popup: its Escape
 * closes the popup and never reaches the page. The innermost disclosure closes first.
 */
export function closeDisclosureOnEscape(event: KeyboardEvent): void {
  if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing) return;
  const from = event.target instanceof Element ? event.target : document.activeElement;
  const disclosure = from?.closest<HTMLDetailsElement>('details[open]');
  if (!from || !disclosure) return;
  const dialog = from.closest('dialog[open]');
  if (dialog && disclosure.contains(dialog)) return;
  disclosure.open = false;
  disclosure.querySelector<HTMLElement>(':scope > summary')?.focus();
  event.preventDefault();
}

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

/**
 * The API's refusal: its title and detail, and each field it names, linked to the control (when
 * the form knows it) so a keyboard user jumps straight there. Focused when it appears.
 */
export function ProblemBox({
  error,
  fieldIds,
  fieldLabel,
  fieldOrder,
  settled,
  shownAtFields,
  title,
}: {
  error?: ApiError;
  /**
   * The form's own fields, which show their refusals beside their controls: a refusal naming one
   * of them is said there (and the focus goes to it), so the box stays out of the way.
   */
  shownAtFields?: readonly string[];
  /** Where each named field's control is: `tasks[1].dueAt` → `plan-tasks-1-dueAt`. */
  fieldIds?: (field: string) => string | undefined;
  /** How the form calls a field (`tasks[1].dueAt` → "Task 2: Due"); the API's path otherwise. */
  fieldLabel?: (field: string) => string | undefined;
  /**
   * Where a field comes in the form (smaller first; negative when the form does not know it, listed
   * last): the list reads top to bottom like the form, not in the order the API checked.
   */
  fieldOrder?: (field: string) => number;
  /** Refusals that no longer apply (their field edited since, or what caused them gone): no longer listed, and the box goes once none is left. */
  settled?: (field: string, message: string) => boolean;
  title?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error || shownAtFields?.some((f) => error.at(f))) return null;
  const named = error.problem.errors ?? [];
  const place = (field: string) => {
    const at = fieldOrder?.(field) ?? -1;
    return at < 0 ? Number.MAX_SAFE_INTEGER : at;
  };
  // A stable sort: messages at the same field (or at fields the form does not place) keep the API's order.
  const listed = fieldOrder ? [...named].sort((a, b) => place(a.field) - place(b.field)) : named;
  const fields = settled ? listed.filter((f) => !settled(f.field, f.message)) : listed;
  if (named.length > 0 && fields.length === 0) return null;
  return (
    <div class="problem" role="alert" tabIndex={-1} ref={ref}>
      <p class="problem-title">
        <strong>{title ?? error.problem.title}</strong>
        {/* A person needs the words, not the HTTP code; a server error's code helps whoever they call. */}
        {error.status >= 500 && <span class="muted"> ({error.status})</span>}
      </p>
      {error.problem.detail && fields.length === 0 && <p>{error.problem.detail}</p>}
      {error.readAgainInSeconds !== undefined && <p>This page asks again by itself in {plural(error.readAgainInSeconds, 'second')}.</p>}
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => {
            const target = fieldIds?.(f.field);
            const label = fieldLabel?.(f.field) ?? f.field;
            return (
              <li key={f.field + f.message}>
                {target && document.getElementById(target) ? (
                  <a
                    href={`#${target}`}
                    onClick={(e) => {
                      e.preventDefault();
                      document.getElementById(target)?.focus();
                    }}
                  >
                    {label}
                  </a>
                ) : (
                  <strong>{label}</strong>
                )}
                : {humanize(f.message)}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** Field ids made from API field paths: `tasks[1].dueAt` → `${prefix}-tasks-1-dueAt`. */
export const fieldId = (prefix: string, field: string): string => `${prefix}-${field.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-')}`;

// ---------------------------------------------------------------------------------------------
// Badges, dates, lists
// ---------------------------------------------------------------------------------------------

export type Tone = 'neutral' | 'info' | 'good' | 'warn' | 'bad';

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge badge--${tone}`} title={title}>
      {children}
    </span>
  );
}

const STAGE_TONE: Record<Stage, Tone> = {
  intake: 'neutral',
  planning: 'info',
  awaiting_approval: 'warn',
  in_production: 'info',
  client_review: 'warn',
  invoicing: 'info',
  closing: 'info',
  completed: 'good',
  cancelled: 'neutral',
};

export const StageBadge = ({ stage }: { stage?: Stage }) =>
  stage ? <Badge tone={STAGE_TONE[stage]}>{STAGE_LABEL[stage]}</Badge> : <Badge>Unknown</Badge>;

const TASK_TONE: Record<TaskStatus, Tone> = {
  waiting: 'neutral',
  open: 'info',
  claimed: 'info',
  submitted: 'warn',
  accepted: 'good',
  cancelled: 'neutral',
};

export const TaskStatusBadge = ({ status }: { status?: TaskStatus }) =>
  status ? <Badge tone={TASK_TONE[status]}>{TASK_STATUS_LABEL[status]}</Badge> : null;

/**
 * A due date with its state in words (never colour alone): overdue, due soon. `projectEnd`: a
 * project's end (its last task's due date, or the client's date before there is a plan), which is
 * not work past due — "Overdue" on the portfolio counts open work past its due date — so it has
 * words of its own.
 */
export function Due({
  dueAt,
  overdue = false,
  done = false,
  projectEnd = false,
  deliveredAt,
  labelled = false,
}: {
  dueAt?: string;
  overdue?: boolean;
  done?: boolean;
  projectEnd?: boolean;
  /** Delivered and waiting for review: nothing is overdue any more, though it may have come late. */
  deliveredAt?: string;
  /** Under a label that says "Due" already (a table's column, a phone card's label): the date without "due" again. */
  labelled?: boolean;
}) {
  if (!dueAt) return <span class="muted">{labelled ? '—' : 'no due date'}</span>;
  const state = done || deliveredAt !== undefined ? 'later' : dueState(dueAt, overdue);
  return (
    <span class={`due due--${state}`}>
      {deliveredAt !== undefined && Date.parse(deliveredAt) > Date.parse(dueAt) && <Badge tone="warn">Delivered late</Badge>}
      {state === 'overdue' && <Badge tone="bad">{projectEnd ? 'Past its end date' : 'Overdue'}</Badge>}
      {state === 'soon' && <Badge tone="warn">{projectEnd ? 'Ends soon' : 'Due soon'}</Badge>}{' '}
      <time dateTime={dueAt} title={relative(dueAt)}>
        {labelled ? '' : projectEnd ? 'ends ' : 'due '}
        {formatDateTime(dueAt)}
      </time>
    </span>
  );
}

export interface TimelineEntry {
  at: string;
  event: string;
  detail?: string;
  by?: string;
}

/** Dates as the workflow records them in a detail ("2026-12-03T14:14:46.767Z → …") in the reader's own time zone. */
export const datesInWords = (text: string): string =>
  text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => formatDateTime(iso));

/** A person's id as the workflows record it (`dima.design`, `mgr-1a2b`). */
const PERSON_ID = '[a-z0-9][a-z0-9._-]*';
const HANDOVER = new RegExp(`^from (${PERSON_ID}) to (${PERSON_ID})(?=:|$)`);
const ARROW = new RegExp(`^(${PERSON_ID}) → (${PERSON_ID})(?=:|$)`);
const ALONE = new RegExp(`^${PERSON_ID}$`);

/**
 * The people a detail names by id, with their names: a handover's "from <id> to <id>", a
 * reassignment's "<id> → <id>" (or just "<id>" when nobody held it before). Only ids the directory
 * knows are replaced, so a reason or a task key that happens to look like an id stays as typed.
 */
export const peopleInWords = (detail: string, name: (id: string) => string): string => {
  const known = (id: string): boolean => name(id) !== id;
  if (ALONE.test(detail)) return known(detail) ? name(detail) : detail;
  return detail
    .replace(HANDOVER, (_, from: string, to: string) => `from ${name(from)} to ${name(to)}`)
    .replace(ARROW, (whole: string, from: string, to: string) => (known(from) || known(to) ? `${name(from)} → ${name(to)}` : whole));
};

/**
 * Whether the element given to `ref` has more content than its box shows (it scrolls): measured
 * after every render (what it holds may have changed) and whenever the box changes size (the
 * window narrowed, so its lines wrap).
 */
function useScrolls(): [(element: HTMLElement | null) => void, boolean] {
  const [element, ref] = useState<HTMLElement | null>(null);
  const [scrolls, setScrolls] = useState(false);
  const measure = () => {
    if (element) setScrolls(element.scrollHeight > element.clientHeight);
  };
  useLayoutEffect(measure);
  useLayoutEffect(() => {
    if (!element) return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return [ref, scrolls];
}

/**
 * Newest first. `detail` puts an entry's detail in people's words (the workflow records it terse).
 * The list scrolls within its own box once long (styles.css); only then does it take the
 * keyboard's focus, so that the arrow keys scroll it (axe's scrollable-region-focusable): a short
 * one would be a Tab stop with nothing to do. Its name serves the screen reader either way.
 */
export function Timeline({ entries, name, detail }: { entries: TimelineEntry[]; name: (id: string) => string; detail?: (e: TimelineEntry) => ComponentChildren }) {
  const [ref, scrolls] = useScrolls();
  if (entries.length === 0) return <p class="muted">Nothing yet.</p>;
  return (
    <ol class="timeline" ref={ref} tabIndex={scrolls ? 0 : undefined} aria-label="Timeline, newest first">
      {[...entries].reverse().map((e, i) => (
        <li key={`${e.at}-${i}`}>
          <time dateTime={e.at}>{formatDateTime(e.at)}</time>
          <span class="timeline-event">{eventLabel(e.event)}</span>
          {e.by && <span class="muted"> by {name(e.by)}</span>}
          {e.detail && <span class="timeline-detail">{detail ? detail(e) : peopleInWords(datesInWords(e.detail), name)}</span>}
        </li>
      ))}
    </ol>
  );
}

/** The links a delivery carries, each opening in a new tab; nothing when there are none. */
export function LinkList({ links }: { links: string[] }) {
  if (links.length === 0) return null;
  return (
    <ul>
      {links.map((l) => (
        <li key={l} className="wrap-anywhere">
          {/* Only web addresses become links: deliveries stored before the API refused others may hold a javascript: one. */}
          {/^https?:\/\//i.test(l) ? (
            <a href={l} target="_blank" rel="noopener noreferrer">
              {l}
            </a>
          ) : (
            l
          )}
        </li>
      ))}
    </ul>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="loading" role="status">
      {what}…
    </p>
  );
}

export function PageHeader({ title, children, actions }: { title: ComponentChildren; children?: ComponentChildren; actions?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // A page that appears (after loading) takes focus to its heading, unless the person is already
  // somewhere: screen readers announce the new page, keyboards continue from it.
  useEffect(() => {
    const current = document.activeElement;
    if (!current || current === document.body || current.id === 'main' || current.tagName === 'H1') heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <header class="page-header">
      <div>
        <h1 tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {children && <div class="page-sub">{children}</div>}
      </div>
      {actions && <div class="page-actions">{actions}</div>}
    </header>
  );
}

/**
 * A list of cards that leave once acted on (a plan decided, a delivery reviewed): the button that had
 * the keyboard goes with its card, and the focus would fall to the page's body. Call the returned
 * function with the card's place in the list; once it is gone, the focus goes to the heading of the
 * card now in its place (or the last one), else to the page's heading when none is left — only if
 * the focus went with the card (a person who moved on meanwhile stays where they are). Each card's
 * `h2` takes the focus (`tabIndex={-1}`).
 */
export function useFocusAfterLeaving(list: RefObject<HTMLElement | null>, cards: number): (place: number) => void {
  const [leftAt, setLeftAt] = useState<number>();
  useEffect(() => {
    if (leftAt === undefined) return;
    setLeftAt(undefined);
    if (document.activeElement && document.activeElement !== document.body) return;
    const headings = [...(list.current?.querySelectorAll<HTMLElement>(':scope > li h2') ?? [])];
    (headings[Math.min(leftAt, headings.length - 1)] ?? document.querySelector<HTMLElement>('main h1'))?.focus();
  }, [leftAt, cards]);
  return setLeftAt;
}

/** The width under which styles.css lays the portal out for a phone (its one `@media (max-width: 640px)`). */
const PHONE_LAYOUT = '(max-width: 640px)';

/** Whether the portal is laid out for a phone now; follows the window (a phone turned, a window narrowed). */
export function usePhoneLayout(): boolean {
  const [phone, setPhone] = useState(() => matchMedia(PHONE_LAYOUT).matches);
  useEffect(() => {
    const layout = matchMedia(PHONE_LAYOUT);
    const follow = () => setPhone(layout.matches);
    follow();
    layout.addEventListener('change', follow);
    return () => layout.removeEventListener('change', follow);
  }, []);
  return phone;
}

export function Section({ title, id, children, actions }: { title: ComponentChildren; id?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card" id={id} aria-labelledby={id ? `${id}-title` : undefined}>
      <div class="card-header">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Numbers in running text (an invoice's, a payment's bank reference), read whole on a phone
// ---------------------------------------------------------------------------------------------

/**
 * The longest number kept on one line come what may: 20 characters, capitals and digits in bold
 * (about 210 px in the tests' Chromium), fit the narrowest running text that names one on a 320 px
 * phone (a payment's line, about 245 px). An invoice number has 15 ("INV-2026-000042").
 */
const KEPT_WHOLE_UP_TO = 20;

/**
 * An invoice number or a payment's reference in running text: kept on one line, where a browser
 * would break it at its hyphens ("INV-2026-" at a line's end reading as a number of its own). A
 * reference longer than would surely fit on a phone's line (one is typed, up to 200 characters)
 * breaks where it must rather than widen the page: at a hyphen or space, else anywhere.
 */
export function WholeNumber({ number }: { number: string }) {
  return <span class={number.length <= KEPT_WHOLE_UP_TO ? 'nowrap' : 'long-number'}>{number}</span>;
}

/**
 * Running text made elsewhere as a string (a timeline entry, why something cannot be done, a flash)
 * that may name some of `numbers`: each one in it kept whole (`WholeNumber`). Only where it stands
 * as a word of its own: a reference typed as "A7" is not looked for inside "A77" or a word.
 */
export function WholeNumbersIn({ text, numbers }: { text: string; numbers: readonly string[] }) {
  const literally = (number: string) => number.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const named = numbers.filter((n) => n !== '' && text.includes(n));
  if (named.length === 0) return <>{text}</>;
  // Longest first, so "INV-10" is not read as "INV-1" and a "0"; split on it, the text gives the numbers back at the odd places.
  const parts = text.split(new RegExp(`(${[...named].sort((a, b) => b.length - a.length).map(literally).join('|')})`));
  const partOfAWord = (k: number) => /[\p{L}\p{N}_-]$/u.test(parts[k - 1]) || /^[\p{L}\p{N}_-]/u.test(parts[k + 1]);
  return <>{parts.map((part, k) => (k % 2 === 1 && !partOfAWord(k) ? <WholeNumber key={k} number={part} /> : part))}</>;
}

// ---------------------------------------------------------------------------------------------
// Flash messages: what the last action did, announced to screen readers
// ---------------------------------------------------------------------------------------------

interface FlashMessage {
  text: string;
  /** The invoice numbers and payment references the text names, each kept whole (`WholeNumbersIn`). */
  whole: readonly string[];
}
let flashListener: ((message: FlashMessage) => void) | undefined;
/** Says what the last action did; `whole` lists the invoice numbers and payment references in `text`, kept whole on a phone. */
export function flash(text: string, whole: readonly string[] = []): void {
  flashListener?.({ text, whole });
}
/** A new attempt begins: what the last one did no longer stands (it would sit above the new one's refusal). */
export function clearFlash(): void {
  flashListener?.({ text: '', whole: [] });
}

export function FlashArea() {
  const [{ text, whole }, setMessage] = useState<FlashMessage>({ text: '', whole: [] });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    flashListener = (m) => {
      setMessage(m);
      clearTimeout(timer);
      if (m.text) timer = setTimeout(() => setMessage({ text: '', whole: [] }), 6_000);
    };
    return () => {
      flashListener = undefined;
      clearTimeout(timer);
    };
  }, []);
  return (
    <div class={`flash${text ? ' flash--shown' : ''}`} role="status" aria-live="polite">
      <WholeNumbersIn text={text} numbers={whole} />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Counts beside the menu's entries ("Review queue 3"): the shell reads them at a calm pace; the
// page an entry opens, which reads the same list more often, says its newer count at once
// ---------------------------------------------------------------------------------------------

const menuCountListeners = new Set<(href: string, count: number) => void>();
/** A page's own count of what its menu entry counts (the review queue's deliveries waiting). */
export function sayMenuCount(href: string, count: number): void {
  menuCountListeners.forEach((listener) => listener(href, count));
}
/** The shell hears the counts pages say; the returned function stops listening. */
export function onMenuCount(listener: (href: string, count: number) => void): () => void {
  menuCountListeners.add(listener);
  return () => {
    menuCountListeners.delete(listener);
  };
}
