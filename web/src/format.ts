/** How dates, money, durations and names read in the portal (the browser's locale and time zone). */
import { ApiError, humanize, type Department, type Stage, type Task, type TaskStatus } from './api';

// With the zone's name: people in different offices (and the PDFs, in UTC) read the same moment.
const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export const formatDateTime = (iso: string | undefined): string => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatDate = (iso: string | undefined): string => (iso ? dateOnly.format(new Date(iso)) : '—');
/** A calendar day as the people file writes it ("2026-11-30"): that day wherever the reader is (read as UTC midnight, it is the day before west of Greenwich). */
export const formatDay = (day: string): string => {
  const [year, month, date] = day.split('-').map(Number);
  return dateOnly.format(new Date(year, month - 1, date));
};

/** `1 rating`, `3 ratings`. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The minus sign (U+2212) a negative amount is written with, as growth is ("−5%"), not Intl's hyphen. */
export const MINUS = '\u2212';

/**
 * An amount in its currency, as the browser's locale writes it: "€1,500.00", "−€300.00" (a credit
 * note beyond what was invoiced, a refund). The sign is a real minus, where Intl writes a hyphen in
 * most locales: the same sign as growth, and not read as a dash or a range.
 */
export function formatMoney(amount: number, currency = 'EUR'): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency })
      .formatToParts(amount)
      .map((part) => (part.type === 'minusSign' ? MINUS : part.value))
      .join('');
  } catch {
    return `${amount < 0 ? MINUS : ''}${Math.abs(amount).toFixed(2)} ${currency}`;
  }
}

const DURATION_UNITS = [
  { unit: 'w', ms: 7 * 86_400_000, word: 'week' },
  { unit: 'd', ms: 86_400_000, word: 'day' },
  { unit: 'h', ms: 3_600_000, word: 'hour' },
  { unit: 'min', ms: 60_000, word: 'minute' },
  { unit: 's', ms: 1_000, word: 'second' },
] as const;
type DurationUnit = (typeof DURATION_UNITS)[number]['unit'];

/**
 * "3 h", "2 d", "45 s": the largest unit that fits, always rounded down so a duration is never
 * said longer than it is. `parts: 2` adds the next unit when it is not zero ("1 h 40 min"),
 * `largest` stops at a unit ("10 d", not "1 w"), `words` spells them ("1 hour 40 minutes").
 */
export function formatDuration(ms: number, { parts = 1, largest = 'w', words = false }: { parts?: number; largest?: DurationUnit; words?: boolean } = {}): string {
  const units = DURATION_UNITS.slice(DURATION_UNITS.findIndex((u) => u.unit === largest));
  let rest = Math.abs(ms);
  const first = units.findIndex((u) => rest >= u.ms);
  if (first < 0) return `${rest} ms`;
  const said: string[] = [];
  for (const u of units.slice(first, first + parts)) {
    const n = Math.floor(rest / u.ms);
    rest -= n * u.ms;
    if (n > 0) said.push(words ? plural(n, u.word) : `${n} ${u.unit}`);
  }
  return said.join(' ');
}

/** "in 3 h" / "5 min ago". */
export function relative(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  return diff >= 0 ? `in ${formatDuration(diff)}` : `${formatDuration(diff)} ago`;
}

export const STAGE_LABEL: Record<Stage, string> = {
  intake: 'Intake',
  planning: 'Planning',
  awaiting_approval: 'Awaiting approval',
  in_production: 'In production',
  client_review: 'Client review',
  invoicing: 'Invoicing',
  closing: 'Closing',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export const TASK_STATUS_LABEL: Record<TaskStatus, string> = {
  waiting: 'Waiting',
  open: 'Open',
  claimed: 'In work',
  submitted: 'Delivered',
  accepted: 'Accepted',
  cancelled: 'Cancelled',
};

export const DEPARTMENT_LABEL: Record<Department, string> = {
  design: 'Design',
  copywriting: 'Copywriting',
  seo: 'SEO',
  ads: 'Ads',
  analytics: 'Analytics',
};

/** Event names of timelines and histories ("plan_submitted") as words. */
/** Events whose name is not the portal's word for them (approvals say "send back"). */
const EVENT_WORDS: Record<string, string> = {
  plan_rejected: 'Plan sent back',
  complaint_rework_requested: 'Work sent back for a complaint',
  // The client's request on their page, and the manager's answer to it without a round of changes.
  changes_asked: 'Changes asked for',
  change_request_declined: 'Request for changes answered without a round',
  // Work handed in is "delivered" on every page (the status badge, the review queue); a plan is submitted.
  task_submitted: 'Task delivered',
  submitted: 'Delivered',
};

export const eventLabel = (event: string): string => {
  if (EVENT_WORDS[event]) return EVENT_WORDS[event];
  const words = event.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Due soon: within this long (a day), and not yet overdue. */
export const DUE_SOON_MS = 24 * 3_600_000;

export type DueState = 'overdue' | 'soon' | 'later';
export function dueState(dueAt: string | undefined, overdue: boolean, now = Date.now()): DueState {
  if (!dueAt) return 'later';
  const left = Date.parse(dueAt) - now;
  if (overdue || left < 0) return 'overdue';
  return left <= DUE_SOON_MS ? 'soon' : 'later';
}

/** `<input type="datetime-local">` value for an ISO date (local time, minutes). */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** ISO date-time for a datetime-local value; empty stays empty (the API names the field). */
export function fromLocalInput(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/**
 * Text in lower case without accents: letters with no plain form of their own, and Cyrillic,
 * spelled in Latin letters ("Straße" is "strasse", "Ромашка" is "romashka", "й" is "y", not "и"
 * and a mark); other scripts stay as they are.
 */
function plainLetters(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize('NFC')
      .replace(/[^ -~]/g, (ch) => TRANSLITERATION[ch] ?? ch)
      .normalize('NFKD')
      // "ü" is "u" and a mark: the mark goes, not into a dash ("Müller" is "muller", not "mu-ller").
      .replace(/\p{M}+/gu, '')
  );
}

/** A task key from its title: "Home page design" → "home-page-design". */
export function slug(text: string, max = 40): string {
  // Scripts with no Latin spelling drop out here (callers fall back to an id of their own when nothing is left).
  return plainLetters(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
}

const TRANSLITERATION: Record<string, string> = {
  ß: 'ss', ł: 'l', ø: 'o', æ: 'ae', œ: 'oe', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h',
  а: 'a', б: 'b', в: 'v', г: 'g', ґ: 'g', д: 'd', е: 'e', є: 'ye', ж: 'zh', з: 'z', и: 'i', і: 'i', ї: 'yi', й: 'y',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ў: 'u', ф: 'f', х: 'kh', ц: 'ts',
  ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya', ё: 'yo',
};

/**
 * Each plan row's key. A key typed (or loaded with a saved plan) stays as it is. Otherwise it is
 * made from the title (`Home page` → `home-page`; a title with no Latin spelling → `task-1`),
 * made unique with `-2`, `-3`… against every other row and every key an earlier version of the
 * plan used (`usedBefore`): a new task never takes a removed one's key, or leadership would read
 * it as that task changed.
 */
export function taskKeys(rows: { uid: number; key: string; keyEdited: boolean; title: string }[], usedBefore: string[] = []): Map<number, string> {
  const keys = new Map<number, string>();
  const kept = rows.filter((r) => r.keyEdited && r.key !== '');
  const taken = new Set([...usedBefore, ...kept.map((r) => r.key)]);
  for (const r of kept) keys.set(r.uid, r.key);
  for (const r of rows) {
    if (keys.has(r.uid)) continue;
    const base = slug(r.title) || 'task';
    let key = base === 'task' ? 'task-1' : base;
    for (let n = 2; taken.has(key); n++) key = base === 'task' ? `task-${n}` : `${base}-${n}`;
    taken.add(key);
    keys.set(r.uid, key);
  }
  return keys;
}

/**
 * Whether two names are one as a person reads them: any case, accents aside, however many spaces
 * between the words ("müller  bäckerei" is "Müller Bäckerei"); punctuation counts ("Müller & Co"
 * is not "Müller Co").
 */
export const sameName = (a: string, b: string): boolean => {
  const folded = (name: string) => plainLetters(name).replace(/\s+/g, ' ').trim();
  return folded(a) === folded(b);
};

/**
 * An id from a name when its letters give none (Hebrew, Arabic, Chinese...): `prefix-` and a short
 * hash of the name, the same for the same name, so a returning client typed again gets its id.
 */
export function idFromName(name: string, prefix: string, max = 40): string {
  const fromLetters = slug(name, max);
  if (fromLetters !== '') return fromLetters;
  const text = name.trim().normalize('NFC');
  if (text === '') return '';
  // FNV-1a, 32 bits: short, stable, and enough to tell one client's name from another's.
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${prefix}-${hash.toString(36)}`;
}

/** A typed decimal as a number ("12,50" reads as 12.5, "-5" as -5); anything else as NaN. */
export const readDecimal = (typed: string): number => {
  const text = typed.trim();
  return /^-?\d+(?:[.,]\d+)?$/.test(text) ? Number(text.replace(',', '.')) : Number.NaN;
};

/** A typed percentage as a number: a decimal, with or without its "%" ("12,5 %" reads as 12.5). */
export const readPercent = (typed: string): number => readDecimal(typed.trim().replace(/\s*%$/, ''));

/** A refusal at a form field, shaped as the API's own (shown at the field, nothing sent). */
export function refusal(field: string, what: string, message: string): ApiError {
  return new ApiError(400, {
    type: 'urn:agencyflow:problem:validation',
    title: 'Invalid request',
    status: 400,
    detail: `${field}: ${what}`,
    errors: [{ field, message: `${what}: ${message}` }],
  });
}

const NOT_AN_AMOUNT = 'digits, with a point or a comma before the cents (12.50 or 12,50)';

/** How many decimals a currency has (EUR 2, JPY 0, KWD 3); 2 for a code Intl does not know. */
export function currencyDigits(currency: string | undefined): number {
  if (!currency) return 2;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An amount to its currency's smallest unit (the cent, the fils; none for JPY). */
export function roundMoney(amount: number, currency: string | undefined): number {
  const scale = 10 ** currencyDigits(currency);
  return Math.round(amount * scale) / scale;
}

/**
 * An amount as people type it: "12,50" or "12.50"; thousands grouped by spaces or apostrophes
 * ("1 200,50"), or by the other mark ("1,200.50", "1.200,50", "1,000,000"). One mark between a
 * group of up to three digits and exactly three more ("2,500") is refused as ambiguous rather than
 * guessed: in one place it is two and a half, in another two thousand five hundred. The currency,
 * when known, settles some: JPY has no decimals, so "2,500" is 2500; KWD has three, written after
 * a point, so "1.125" is 1.125 (and "1,125" still ambiguous).
 */
export function parseAmount(typed: string, currency?: string): { amount: number } | { problem: string } {
  const text = typed.trim().replace(/(?<=\d)[\s'\u00a0\u202f](?=\d{3}(?!\d))/g, '');
  const notAnAmount = { problem: `not an amount: ${NOT_AN_AMOUNT}` };
  const m = /^(-?)(\d[\d.,]*\d|\d)$/.exec(text);
  if (!m) return notAnAmount;
  const [, sign, body] = m;
  const number = (digits: string) => ({ amount: Number(`${sign}${digits}`) });
  const groupedBy = (part: string, mark: string) => new RegExp(`^\\d{1,3}(?:\\${mark}\\d{3})+$`).test(part);
  const last = Math.max(body.lastIndexOf('.'), body.lastIndexOf(','));
  if (last < 0) return number(body);
  const mark = body[last];
  const other = mark === '.' ? ',' : '.';
  const [whole, fraction] = [body.slice(0, last), body.slice(last + 1)];
  if (body.includes(other)) {
    // Both marks: the last is the decimal mark, the other groups thousands.
    return !whole.includes(mark) && groupedBy(whole, other) ? number(`${whole.split(other).join('')}.${fraction}`) : notAnAmount;
  }
  if (whole.includes(mark)) return groupedBy(body, mark) ? number(body.split(mark).join('')) : notAnAmount;
  if (fraction.length === 3 && /^[1-9]\d{0,2}$/.test(whole)) {
    const digits = currency === undefined ? 2 : currencyDigits(currency);
    if (digits === 0) return number(`${whole}${fraction}`);
    if (digits === 3 && mark === '.') return number(`${whole}.${fraction}`);
    const decimal = Number(`${sign}${whole}.${fraction}`);
    const thousands = `${sign}${whole}${fraction}`;
    const decimals = digits === 3 ? `${sign}${whole}.${fraction}` : 'at most two decimals';
    return { problem: `${sign}${body} could mean ${decimal} or ${thousands}: type ${thousands} for ${thousands}, or ${decimals}` };
  }
  return number(`${whole}.${fraction}`);
}

/** A typed amount as a number, NaN when it cannot be read (see parseAmount): for running totals. */
export const readAmount = (typed: string, currency?: string): number => {
  const parsed = parseAmount(typed, currency);
  return 'amount' in parsed ? parsed.amount : Number.NaN;
};

/** An amount typed in a money field, or a refusal at that field before anything is sent. */
export function typedAmount(typed: string, field: string, currency?: string): number {
  const parsed = parseAmount(typed, currency);
  if ('problem' in parsed) {
    throw new ApiError(400, {
      type: 'urn:agencyflow:problem:validation',
      title: 'Invalid request',
      status: 400,
      detail: `${field}: ${parsed.problem}`,
      errors: [{ field, message: parsed.problem }],
    });
  }
  return parsed.amount;
}

/** A percentage typed in its field ("12.5", "12,5" or "12,5 %"), or a refusal there; the API checks the range. */
export function typedPercent(typed: string, field: string): number {
  const percent = readPercent(typed);
  if (Number.isNaN(percent)) throw refusal(field, 'not a percentage', 'digits, with a point or a comma before the decimals (12.5 or 12,5)');
  return percent;
}

/** Hours typed in an estimate field ("1.5" or "1,5"), or a refusal there. */
export function typedHours(typed: string, field: string): number {
  const hours = readDecimal(typed);
  if (Number.isNaN(hours)) throw refusal(field, 'not a number of hours', 'digits, with a point or a comma before the fraction (1.5 or 1,5)');
  return hours;
}

/**
 * The client's date against the plan's: the latest due date and how long after the client's date
 * it falls (`lateByMs` > 0), for the warnings of the plan editor, approvals and the project page.
 * Dates that cannot be read are left out.
 */
export function againstClientDate(dueDates: string[], clientDate: string): { lastDueAt?: string; lateByMs: number } {
  const client = endOfClientDay(clientDate);
  const readable = dueDates.filter((d) => !Number.isNaN(Date.parse(d)));
  if (readable.length === 0) return { lateByMs: 0 };
  const lastDueAt = readable.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
  return { lastDueAt, lateByMs: Number.isNaN(client) ? 0 : Math.max(0, Date.parse(lastDueAt) - client) };
}

/**
 * The client wants the work "by" a day (the new-project form asks for a date): anything due on
 * that day, in the reader's zone, is in time.
 */
function endOfClientDay(clientDate: string): number {
  const d = new Date(clientDate);
  if (Number.isNaN(d.getTime())) return Number.NaN;
  d.setHours(23, 59, 59, 999);
  return d.getTime();
}

/** Whether a task is due after the client's date (after the end of that day). */
export const dueAfterClientDate = (dueAt: string, clientDate: string): boolean => Date.parse(dueAt) > endOfClientDay(clientDate);

/**
 * How long an invoice has been past due, from the API's `daysOverdue` (a fraction of days): whole
 * days once there is one ("1 day overdue", "3 days overdue"), and on the day it fell due "less than
 * a day overdue", never "0 days".
 */
export const overdueInWords = (days: number): string => (days < 1 ? 'less than a day overdue' : `${plural(Math.floor(days), 'day')} overdue`);

/**
 * How late, in words, never more than it is: "11 minutes", "4 hours 30 minutes", "35 hours 12 minutes",
 * "3 days". Hours keep their minutes (rounding 1 h 59 min down to "1 hour" would halve it, and the
 * late-work list is read to decide whom to chase first); from two days on, whole days, as people
 * count them ("3 days", not "3 days 5 hours" nor "1 week"). Under a minute: "less than a minute".
 */
export function lateInWords(ms: number): string {
  if (ms < 60_000) return 'less than a minute';
  if (ms >= 2 * 86_400_000) return formatDuration(ms, { largest: 'd', words: true });
  // Whole minutes, so the second part is never seconds ("1 minute 30 seconds" is noise here).
  return formatDuration(ms - (ms % 60_000), { largest: 'h', parts: 2, words: true });
}

/**
 * A claim someone else won (409): the API's words name the holder with their id ("Dima Kozlov
 * (dima.design) took this task first"). The pages say it their own way: which task, and who.
 */
export const takenFirst = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.problem.type === 'urn:agencyflow:problem:task-already-claimed';

/** That refusal in people's words: "“Key visual” was taken by Dima Kozlov a moment before you." */
export const takenFirstInWords = (error: ApiError, title: string, holder: string | undefined): ApiError =>
  new ApiError(error.status, { ...error.problem, title: 'Already taken', detail: `“${title}” was taken by ${holder ?? 'someone else'} a moment before you.` });

/**
 * A task named with its project: “Key visual” (Spring campaign A0). Lists that mix projects (the
 * inbox) hold the same title several times, so a message naming only the title says not which.
 */
export const taskOfProject = (title: string, projectTitle: string | undefined): string => `“${title}”${projectTitle ? ` (${projectTitle})` : ''}`;

/** `takenFirstInWords` where the task must be told apart from others of the same title: with its project. */
export const takenFirstInWordsOfProject = (error: ApiError, title: string, projectTitle: string | undefined, holder: string | undefined): ApiError =>
  new ApiError(error.status, {
    ...error.problem,
    title: 'Already taken',
    detail: `${taskOfProject(title, projectTitle)} was taken by ${holder ?? 'someone else'} a moment before you.`,
  });

/**
 * Which delivery this is, said the one way the task page and the mails say it: "2nd delivery ·
 * after 1 round of changes". A round is a send-back (the task's `reviewRounds`, the number its
 * page, its reviews and the staff's inbox show); the delivery is counted apart, so "round 2" never
 * means the second delivery here and the first send-back elsewhere.
 */
export function deliveryInWords(task: Pick<Task, 'deliverables' | 'reviewRounds'>): string {
  return `${ordinal(task.deliverables.length)} delivery · after ${roundsOfChanges(task.reviewRounds)}`;
}

/**
 * A task's first delivery as the KPIs judge it: late when it came after the due date the task was
 * planned with (its first move's `from`, else its due date; `originalDueAt` and `LATE_DELIVERY` in
 * activities/reporting), however the date moved since and whatever came after. `lateByMs` is
 * undefined when it came on time or there is none yet.
 */
export function firstDelivery(task: Pick<Task, 'deliverables' | 'dueDateChanges' | 'dueAt'>): { plannedDueAt: string; lateByMs?: number } {
  const plannedDueAt = task.dueDateChanges[0]?.from ?? task.dueAt;
  const first = task.deliverables[0];
  const lateByMs = first ? Date.parse(first.submittedAt) - Date.parse(plannedDueAt) : 0;
  return lateByMs > 0 ? { plannedDueAt, lateByMs } : { plannedDueAt };
}

/** Send-backs in the words `deliveryInWords` uses: "1 round of changes", "2 rounds of changes". */
export const roundsOfChanges = (rounds: number): string => `${plural(rounds, 'round')} of changes`;

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st. */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

const WEB_ADDRESS = 'a web address starting with http:// or https://';

/**
 * A delivery's link the API refused, in people's words ("Link 1: a web address starting with
 * http:// or https:// — e.g. https://www.figma.com/file/abc123"): an address typed without its
 * scheme is offered back with one. `typed`: the links as sent, so the index names the right one.
 */
export function linkRefusals(error: ApiError | undefined, typed: string[]): string | undefined {
  const own = (error?.problem.errors ?? []).filter((e) => e.field === 'links' || e.field.startsWith('links['));
  if (own.length === 0) return undefined;
  return own
    .map((e) => {
      const index = /^links\[(\d+)\]/.exec(e.field)?.[1];
      if (index === undefined) return humanize(e.message);
      const which = `Link ${Number(index) + 1}`;
      // Not a web address at all, or one of another scheme (the API's two refusals): said alike,
      // with the address it could be when that is plain.
      if (e.message !== 'expected an absolute URL' && !e.message.startsWith(`expected ${WEB_ADDRESS}`)) return `${which}: ${humanize(e.message)}`;
      const link = typed[Number(index)] ?? '';
      const fixed = withScheme(link);
      // The link named by what was typed, too: in a box of three lines the fourth is out of sight.
      const shown = link.length > 60 ? `${link.slice(0, 59)}…` : link;
      return `${which}: ${WEB_ADDRESS}${fixed ? ` — e.g. ${fixed}` : shown ? `, not “${shown}”` : ''}`;
    })
    .join('; ');
}

/** `www.figma.com/file/abc` → `https://www.figma.com/file/abc`; undefined when that would not be a web address either. */
function withScheme(link: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link) || /\s/.test(link)) return undefined;
  try {
    const offered = `https://${link.replace(/^\/+/, '')}`;
    return new URL(offered).hostname.includes('.') ? offered : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Text cut to `max` characters, an ellipsis for the rest ("Home page design for the spring…"):
 * a name repeated in messages (a task's title of 200 characters) says which one it is by its start.
 * Whole characters, never half of an emoji; the space before the cut goes.
 */
export function shorten(text: string, max = 60): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** “a”, “a and b”, “a, b and c”: names as a sentence lists them. */
export const listInWords = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/**
 * The manager's send-backs of the tasks accepted in a period, as the KPI page's "Reworked tasks"
 * says them: "1 of 2 accepted tasks had been sent back by the manager, 3 times in all". Not
 * "rounds of changes": those are the client's (the plan's included rounds, `clientRoundsInWords`).
 */
export function sentBackInWords(t: { accepted: number; reworked: number; reviewRounds: number }): string {
  if (t.accepted === 0) return 'no task accepted';
  if (t.reworked === 0) return t.accepted === 1 ? 'the 1 accepted task had not been sent back' : `none of the ${t.accepted} accepted tasks had been sent back`;
  return `${t.reworked} of ${plural(t.accepted, 'accepted task')} had been sent back by the manager, ${t.reviewRounds === 1 ? 'once' : `${t.reviewRounds} times in all`}`;
}

/**
 * The rounds of changes the clients asked for in a period, after their count: "1 within the
 * included rounds, 1 beyond them at £300.00 extra". Each currency's extra price apart, never
 * converted ("at €500.00 and $200.00 extra"); rounds beyond the included ones agreed at no price
 * say so. None asked for: "none asked for in the period".
 */
export function clientRoundsInWords(c: { roundsUsed: number; withinIncluded: number; beyondIncluded: number; extraRevenue: readonly { currency: string; amount: number }[] }): string {
  if (c.roundsUsed === 0) return 'none asked for in the period';
  const count = (n: number) => (n === 0 ? 'none' : String(n));
  const extra = c.extraRevenue.filter((e) => e.amount !== 0).map((e) => formatMoney(e.amount, e.currency));
  const price = c.beyondIncluded === 0 ? '' : extra.length === 0 ? ' at no extra price' : ` at ${listInWords(extra)} extra`;
  return `${count(c.withinIncluded)} within the included rounds, ${count(c.beyondIncluded)} beyond them${price}`;
}
