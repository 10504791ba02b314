/**
 * The value axis of a bar chart (charts.tsx), apart from the drawing so it can be tested without a
 * browser: its marks, from 0 to a round top just above the tallest figure.
 */

/** The fewest and the most steps between the axis's marks (4 to 6 marks, 0 included). */
const FEWEST_STEPS = 3;
const MOST_STEPS = 5;

/** A mark's value without the float dust of adding steps (3 × 0.1 is 0.30000000000000004). */
const clean = (n: number): number => Number(n.toPrecision(12));

/**
 * The marks of an axis for figures up to `peak`: 0 and 3 to 5 equal steps above it, each step 1, 2,
 * 2.5 or 5 times a power of ten, the last mark the lowest such top at or above `peak` (ties: the
 * fewer marks). The tallest bar so fills at least three quarters of the chart: €1,200 is drawn
 * against €1,250 (five steps of €250), never €2,000 or €5,000. Nothing above 0: 0 to 1 in quarters.
 */
export function axisTicks(peak: number): number[] {
  if (!(peak > 0) || !Number.isFinite(peak)) return [0, 0.25, 0.5, 0.75, 1];
  const power = 10 ** Math.floor(Math.log10(peak / MOST_STEPS));
  let best: { top: number; step: number; steps: number } | undefined;
  for (const p of [power / 10, power, power * 10]) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = clean(m * p);
      // A hair under a whole number of steps is that number (1,000.0000000001 / 250 is still 4).
      const steps = Math.ceil(clean(peak / step));
      if (steps < FEWEST_STEPS || steps > MOST_STEPS) continue;
      const top = clean(steps * step);
      if (!best || top < best.top || (top === best.top && steps < best.steps)) best = { top, step, steps };
    }
  }
  // Always found (a step of 1 or 2 times the power gives 3 to 5 steps); the old quarters otherwise.
  if (!best) return [0, 0.25, 0.5, 0.75, 1].map((f) => clean(f * peak));
  const { step, steps } = best;
  return Array.from({ length: steps + 1 }, (_, i) => clean(i * step));
}
