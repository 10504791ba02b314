/** The bench's event-loop figure: the wait a reply arriving at a random moment exceeds 1% of the time. */
import { summariseLateness, watchLoopDelay } from '../../bench/lib/loop-delay';

test('one 50 ms stretch in a second: replies at random moments wait over 40 ms 1% of the time', () => {
  // Σ max(0, 50 − w) / 1000 = 1% at w = 40.
  expect(summariseLateness([50], 1_000)).toEqual({ p99WaitMs: 40, busyShare: 0.05, longestMs: 50 });
});

test('short stretches that add up to under 1% of the time: no wait at p99', () => {
  expect(summariseLateness([1, 2, 3], 1_000)).toEqual({ p99WaitMs: 0, busyShare: 0.006, longestMs: 3 });
  expect(summariseLateness([], 1_000)).toEqual({ p99WaitMs: 0, busyShare: 0, longestMs: 0 });
});

test('many stretches: each counts by how long it lasted, not once per tick', () => {
  // Ten 30 ms stretches in 10 s: Σ (30 − w) × 10 / 10,000 = 1% at w = 20.
  expect(summariseLateness(Array(10).fill(30), 10_000).p99WaitMs).toBeCloseTo(20, 1);
});

test('a loop kept busy shows it', async () => {
  const loop = watchLoopDelay();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const until = performance.now() + 120;
  while (performance.now() < until) {
    // busy: no timer can run
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
  const delay = loop.stop();
  expect(delay.longestMs).toBeGreaterThanOrEqual(110);
  expect(delay.p99WaitMs).toBeGreaterThan(80);
});
