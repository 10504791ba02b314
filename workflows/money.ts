/** Money arithmetic in integer cents, so totals on invoices never drift by a float rounding. */
export const toCents = (amount: number): number => Math.round(amount * 100);
export const fromCents = (cents: number): number => cents / 100;
export const sumAmounts = (amounts: number[]): number => fromCents(amounts.reduce((sum, a) => sum + toCents(a), 0));
export const percentOf = (amount: number, percent: number): number => fromCents(Math.round((toCents(amount) * percent) / 100));
