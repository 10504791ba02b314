/**
 * Money as people type it in the portal's money fields (budget, plan prices, payments, refunds,
 * compensations, extra prices, sales targets): a comma or a point before the cents, thousands
 * grouped in the ways people group them, and an amount that reads two ways refused, not guessed.
 */
import { idFromName, parseAmount, roundMoney, slug, taskKeys } from '../../web/src/format';

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

test.each([
  ['2,500', 'JPY', 2500],
  ['2.500', 'JPY', 2500],
  ['1.125', 'KWD', 1.125],
  ['12.125', 'KWD', 12.125],
  ['1,125.500', 'KWD', 1125.5],
  ['2500,5', 'EUR', 2500.5],
])('%j in %s reads as %d: the currency’s decimals settle what reads two ways elsewhere', (typed, currency, amount) => {
  expect(parseAmount(typed, currency)).toEqual({ amount });
});

test('in KWD a comma and three digits still read two ways, and the advice fits three decimals', () => {
  expect(parseAmount('1,125', 'KWD')).toEqual({ problem: '1,125 could mean 1.125 or 1125: type 1125 for 1125, or 1.125' });
  expect(parseAmount('-2,500')).toEqual({ problem: '-2,500 could mean -2.5 or -2500: type -2500 for -2500, or at most two decimals' });
});

test('amounts round to the currency’s smallest unit', () => {
  expect([roundMoney(1.1254, 'KWD'), roundMoney(10.005, 'KWD'), roundMoney(2500.4, 'JPY'), roundMoney(0.1 + 0.2, 'EUR')]).toEqual([1.125, 10.005, 2500, 0.3]);
});

test('a client id from a name keeps its letters whole: "Müller Bäckerei GmbH" is muller-backerei-gmbh', () => {
  expect([slug('Müller Bäckerei GmbH'), slug('Crème brûlée & Co'), slug('  Acme, Ltd. ')]).toEqual(['muller-backerei-gmbh', 'creme-brulee-co', 'acme-ltd']);
});

test('letters with no plain form and Cyrillic are spelled in Latin letters; a name in another script gets an id of its own, the same each time', () => {
  expect([slug('Straße & Søn Łódź'), slug('Ромашка ООО 🌼'), slug('Щука, Їжак')]).toEqual(['strasse-son-lodz', 'romashka-ooo', 'shchuka-yizhak']);
  expect(idFromName('Ромашка ООО', 'client')).toBe('romashka-ooo');
  const hebrew = idFromName('שלום בע"מ', 'client');
  expect(hebrew).toMatch(/^client-[0-9a-z]+$/);
  expect(idFromName(' שלום בע"מ ', 'client')).toBe(hebrew);
  expect(idFromName('مرحبا', 'client')).not.toBe(hebrew);
  expect(idFromName('   ', 'client')).toBe('');
});

test('plan keys: typed, or from the title, or the first task-N no other row uses — never one a loaded plan already has', () => {
  // A plan saved with task-2 and task-3 (titles with no Latin spelling), and a new row added to it.
  const keys = taskKeys(
    [
      { uid: 7, key: 'task-2', keyEdited: true, title: 'مراجعة' },
      { uid: 8, key: 'task-3', keyEdited: true, title: 'تقرير' },
      { uid: 9, key: '', keyEdited: false, title: '报告' },
      { uid: 10, key: '', keyEdited: false, title: '' },
      { uid: 11, key: 'otchyot', keyEdited: false, title: 'Отчёт' },
      // Two rows of the same title: the second is told apart, not refused over a key nobody typed.
      { uid: 12, key: 'banner', keyEdited: false, title: 'Banner' },
      { uid: 13, key: 'banner', keyEdited: false, title: 'Banner' },
    ],
    // Version 1 had task-1 (removed since): a new task does not take its key.
    ['task-1', 'task-2', 'task-3'],
  );
  expect([...keys.values()]).toEqual(['task-2', 'task-3', 'task-4', 'task-5', 'otchyot', 'banner', 'banner-2']);
});
