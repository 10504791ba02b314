/**
 * How long a reply that has arrived waits before the code timing it runs: the process's event loop
 * may be busy with other work (the bench process drives twenty lifecycles and parses every answer).
 * P2 reports it for the API process, the bench process and the person reading beside it, so that
 * a read's tail can be told apart from the API's handling of it.
 *
 * A timer ticks every INTERVAL_MS; a tick that comes late shows the loop was busy (or the process
 * waited for a CPU) for the lateness, just before it. A reply arriving at a random moment inside
 * such a stretch waits for the rest of it, so the figure is the wait w that replies arriving at
 * random moments exceed 1% of the time: the share of time within busy stretches' last parts
 * longer than w, Σ max(0, busy − w) / elapsed = 1%. Sampling-based p99s of the ticks alone would
 * count a 50 ms stretch once among thousands of prompt ticks.
 */
const INTERVAL_MS = 2;

export interface LoopDelay {
  /** The wait a reply arriving at a random moment exceeds 1% of the time (ms). */
  p99WaitMs: number;
  /** The share of the time the loop was late (busy or waiting for a CPU). */
  busyShare: number;
  /** The longest late stretch (ms). */
  longestMs: number;
}

/** Starts watching this process's event loop; `stop()` summarises what it saw. */
export function watchLoopDelay(): { stop(): LoopDelay } {
  const started = performance.now();
  const late: number[] = [];
  let last = started;
  let running = true;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const now = performance.now();
    const lateBy = now - last - INTERVAL_MS;
    if (lateBy > 0.5) late.push(lateBy);
    last = now;
    if (running) timer = setTimeout(tick, INTERVAL_MS);
  };
  timer = setTimeout(tick, INTERVAL_MS);
  return {
    stop() {
      running = false;
      clearTimeout(timer);
      return summariseLateness(late, performance.now() - started);
    },
  };
}

/** The figures of LoopDelay from the late stretches seen (ms) over `elapsedMs`. */
export function summariseLateness(late: number[], elapsedMs: number): LoopDelay {
  const exceeding = (w: number) => late.reduce((sum, b) => sum + Math.max(0, b - w), 0) / elapsedMs;
  const longest = late.reduce((a, b) => Math.max(a, b), 0);
  // The smallest w with exceeding(w) ≤ 1% (exceeding falls as w grows): bisection.
  let low = 0;
  let high = longest;
  if (exceeding(0) > 0.01) {
    for (let i = 0; i < 40; i++) {
      const mid = (low + high) / 2;
      if (exceeding(mid) > 0.01) low = mid;
      else high = mid;
    }
  } else {
    high = 0;
  }
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    p99WaitMs: round(high),
    busyShare: Math.round((late.reduce((a, b) => a + b, 0) / elapsedMs) * 1000) / 1000,
    longestMs: round(longest),
  };
}

export function describeLoopDelay(who: string, delay: LoopDelay): string {
  return `${who} ${delay.p99WaitMs} ms (late ${Math.round(delay.busyShare * 100)}% of the time, longest ${delay.longestMs} ms)`;
}
