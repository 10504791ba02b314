/**
 * Money arithmetic in integer minor units of the currency (cents for EUR, yen for JPY, fils for
 * KWD), so totals on invoices never drift by a float rounding. Amounts travel as numbers in major
 * units (what people type and read); every sum, difference and percentage goes through here.
 * Workflow-safe: Intl is part of the JavaScript runtime and its currency data does not change
 * while a run replays.
 */
const digitsByCurrency = new Map<string, number>();

/** Digits after the decimal point (ISO 4217 minor units): JPY 0, EUR 2, KWD 3; 2 for codes Intl does not know. */
export function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

const scale = (currency: string): number => 10 ** minorDigits(currency);

export const toMinor = (amount: number, currency: string): number => Math.round(amount * scale(currency));
export const fromMinor = (minor: number, currency: string): number => minor / scale(currency);

/** True when the amount has no more decimals than the currency has minor units (no 0.5 JPY). */
export const fitsCurrency = (amount: number, currency: string): boolean =>
  Math.abs(amount * scale(currency) - Math.round(amount * scale(currency))) < 1e-6;

export const sumAmounts = (amounts: number[], currency: string): number =>
  fromMinor(amounts.reduce((sum, a) => sum + toMinor(a, currency), 0), currency);

export const subtractAmounts = (amount: number, minus: number, currency: string): number =>
  fromMinor(toMinor(amount, currency) - toMinor(minus, currency), currency);

/** An amount as people read it in a refusal: `€1,200.00`, `¥1,200` (English, the currency's own minor units). */
export const formatAmount = (amount: number, currency: string): string => {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
};

/** `percent` % of `amount`, rounded to the currency's minor unit. */
export const percentOf = (amount: number, percent: number, currency: string): number =>
  fromMinor(Math.round((toMinor(amount, currency) * percent) / 100), currency);
