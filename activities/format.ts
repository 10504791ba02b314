/**
 * Fixed formats for paper and mail: no locale or time zone of the machine leaks into what
 * clients and managers read (dates are in the agency's zone, named), so the same input always
 * prints the same text.
 */
import { minorDigits } from '../workflows/money';
import type { ProjectStage } from '../workflows/vocabulary';

/**
 * `1,234.50 EUR`, `120,000 JPY`, `12.345 KWD`: the currency's own minor units (ISO 4217, via
 * Intl), a fixed locale for the digits, and the code after the amount.
 */
export function fmtMoney(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const number = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  return currency ? `${number} ${currency}` : number;
}

export function fmtNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/**
 * Dates and times as mail and paper print them: in the agency's zone (AGENCY_TIME_ZONE), which
 * every time names (`2026-03-01 18:00 CET`), since a reader may be elsewhere. A calendar day given
 * as such (`2026-03-01`, a client's desired date) is that day in every zone, printed as given;
 * anything that is not a date is printed as given too.
 */
export interface DateWords {
  /** `2026-03-01`: the day the instant falls on in the zone. */
  day(iso: string): string;
  /** `2026-03-01 18:00 CET`. */
  time(iso: string): string;
  /** The last millisecond (UTC ms) of a calendar day (`YYYY-MM-DD`) in the zone: a client's date counts to its end. */
  endOfDay(day: string): number;
}

const CALENDAR_DAY = /^\d{4}-\d{2}-\d{2}$/;
const datesByZone = new Map<string, DateWords>();

/** Formatting in one zone; made once per zone (an Intl formatter is costly to build, a paper prints dozens of dates). */
export function datesIn(timeZone = 'UTC'): DateWords {
  let words = datesByZone.get(timeZone);
  if (!words) datesByZone.set(timeZone, (words = makeDateWords(timeZone)));
  return words;
}

function makeDateWords(timeZone: string): DateWords {
  const fields = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const local = (t: number): Record<string, string> => Object.fromEntries(fields.formatToParts(t).map((p) => [p.type, p.value]));
  const dayOf = (t: number): string => {
    const f = local(t);
    return `${f.year}-${f.month}-${f.day}`;
  };
  const zoneName = zoneNamer(timeZone);
  const offsetMs = (t: number): number => {
    const f = local(t);
    return Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), Number(f.hour), Number(f.minute)) - Math.floor(t / 60_000) * 60_000;
  };
  return {
    day: (iso) => {
      if (CALENDAR_DAY.test(iso)) return iso;
      const t = Date.parse(iso);
      return Number.isNaN(t) ? iso : dayOf(t);
    },
    time: (iso) => {
      const t = Date.parse(iso);
      if (Number.isNaN(t)) return iso;
      const f = local(t);
      return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute} ${zoneName(t)}`;
    },
    endOfDay: (day) => {
      // The next midnight in the zone, less a millisecond: the zone's offset then, which a change of clocks that night moves.
      const nextMidnightUtc = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
      const guess = nextMidnightUtc - offsetMs(nextMidnightUtc);
      return nextMidnightUtc - offsetMs(guess) - 1;
    },
  };
}

/**
 * The zone's short name at an instant, as its people say it: `CET`/`CEST`, `EST`/`EDT`, `GMT`, `UTC`;
 * where no letters are in use, the offset (`UTC+9`).
 */
function zoneNamer(timeZone: string): (t: number) => string {
  const named = ['en-US', 'en-GB'].map((locale) => new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }));
  return (t) => {
    const names = named.map((f) => f.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value ?? '');
    const letters = names.find((n) => n && !/^GMT[+-]/.test(n));
    return letters ?? (names[0] || 'UTC').replace(/^GMT/, 'UTC');
  };
}

/** `14 days`, `36 hours`, `1.5 minutes`: policies are durations, tests use seconds. */
export { durationInWords as fmtDuration } from '../workflows/vocabulary';
export { departmentName } from '../workflows/vocabulary';

/**
 * When in the project's life it was cancelled, as people say it ("cancelled while the work was under
 * way"), not its stage's id ("at the in production stage"): for mail and papers alike. Only stages
 * a cancellation can meet; undefined for any other.
 */
const CANCELLED_WHILE: Partial<Record<ProjectStage, string>> = {
  intake: 'while the request waited for a plan',
  planning: 'while the plan was being drafted',
  awaiting_approval: 'while the plan waited for approval',
  in_production: 'while the work was under way',
  client_review: 'while the client was reviewing the work',
  invoicing: 'while the final invoice waited to be paid',
};
export const cancelledWhile = (stage: string): string | undefined => CANCELLED_WHILE[stage as ProjectStage];
