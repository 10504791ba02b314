/**
 * The value axis of the KPI page's bar charts (web/src/chart-scale.ts), no browser needed: its top
 * is a round figure (a step of 1, 2, 2.5 or 5 times a power of ten, 3 to 5 steps) just above the
 * tallest figure, so the tallest bar fills at least three quarters of the chart (the walk of
 * 2026-12-07 evening: €1,200 drawn against an axis of €2,000).
 */
import { axisTicks } from '../../web/src/chart-scale';

const top = (peak: number) => axisTicks(peak).at(-1)!;

test('the axis ends at a round figure just above the tallest one', () => {
  expect(axisTicks(1_200)).toEqual([0, 250, 500, 750, 1_000, 1_250]);
  expect(axisTicks(1_000)).toEqual([0, 250, 500, 750, 1_000]);
  expect(axisTicks(1_001)).toEqual([0, 250, 500, 750, 1_000, 1_250]);
  expect(axisTicks(2_600)).toEqual([0, 1_000, 2_000, 3_000]);
  expect(axisTicks(15_500)).toEqual([0, 5_000, 10_000, 15_000, 20_000]);
  expect(axisTicks(300.01)).toEqual([0, 100, 200, 300, 400]);
  expect(axisTicks(37)).toEqual([0, 10, 20, 30, 40]);
  expect(axisTicks(0.83)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  expect(axisTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
  expect(axisTicks(99.99)).toEqual([0, 25, 50, 75, 100]);
});

test('nothing above 0: the axis runs to 1 in quarters', () => {
  expect(axisTicks(0)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  expect(axisTicks(-5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  expect(axisTicks(Number.NaN)).toEqual([0, 0.25, 0.5, 0.75, 1]);
});

test('for any figure, the tallest bar fills at least three quarters of the chart, on 4 to 6 evenly spaced round marks', () => {
  const round = (step: number) => {
    const mantissa = Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(12));
    return [1, 2, 2.5, 5].includes(mantissa);
  };
  for (let peak = 0.01; peak < 100_000; peak *= 1.0137) {
    const ticks = axisTicks(peak);
    const step = ticks[1];
    expect([peak, ticks.length >= 4 && ticks.length <= 6]).toEqual([peak, true]);
    expect([peak, round(step), ticks.every((t, i) => Math.abs(t - i * step) < step * 1e-9)]).toEqual([peak, true, true]);
    expect([peak, top(peak) >= peak, peak / top(peak) >= 0.75]).toEqual([peak, true, true]);
  }
});
