/**
 * Money as people type it in the portal's money fields (budget, plan prices, payments, refunds,
 * compensations, extra prices, sales targets): a comma or a point before the cents, thousands
 * grouped in the ways people group them, and an amount that reads two ways refused, not guessed.
 */
import { parseAmount } from '../../web/src/format';

test.each([
  ['12,5', 12.5],
  ['12.50', 12.5],
  [' 2500,5 ', 2500.5],
  ['2,500.00', 2500],
  ['2.500,00', 2500],
  ['1 200,50', 1200.5],
  ['1\u00a0200,50', 1200.5],
  ["1'000", 1000],
  ['1,000,000', 1_000_000],
  ['1.000.000', 1_000_000],
  ['1.234,5', 1234.5],
  ['12.5000', 12.5],
  ['2500.500', 2500.5],
  ['0,001', 0.001],
  ['-5', -5],
])('%j reads as %d', (typed, amount) => {
  expect(parseAmount(typed)).toEqual({ amount });
});

test.each([['2,500'], ['1.500'], ['999,999']])('%j reads two ways (thousands or decimals) and is refused, saying both', (typed) => {
  const [whole, fraction] = typed.split(/[.,]/);
  expect(parseAmount(typed)).toEqual({ problem: `${typed} could mean ${Number(`${whole}.${fraction}`)} or ${whole}${fraction}: type ${whole}${fraction} for ${whole}${fraction}, or at most two decimals` });
});

test.each([['12,5x'], [''], ['.5'], ['5.'], ['1,2,3'], ['1,00,000'], ['1,234.5.6'], ['2.500.00'], ['€12'], ['12 EUR']])('%j is not an amount', (typed) => {
  expect(parseAmount(typed)).toEqual({ problem: expect.stringMatching(/^not an amount: /) });
});
