/** Latency samples and their summaries: p50, p99 (nearest rank), mean, n. */

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.length ? sum / sorted.length : NaN),
    min: round(sorted[0] ?? NaN),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export const round = (n: number, digits = 1): number => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

/** Milliseconds since `started` (from `performance.now()`). */
export const since = (started: number): number => performance.now() - started;

/** Times `fn`, pushing its duration in ms to `into`. */
export async function timed<T>(into: number[], fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  into.push(since(started));
  return result;
}

/** Named sample lists, created on first use. */
export class Samples {
  private readonly lists = new Map<string, number[]>();

  /** Lists measured elsewhere (another process), by name. */
  static of(lists: Record<string, number[]>): Samples {
    const samples = new Samples();
    for (const [name, list] of Object.entries(lists)) samples.lists.set(name, [...list]);
    return samples;
  }

  list(name: string): number[] {
    let list = this.lists.get(name);
    if (!list) this.lists.set(name, (list = []));
    return list;
  }

  add(name: string, ms: number): void {
    this.list(name).push(ms);
  }

  summary(name: string): Summary {
    return summarize(this.list(name));
  }
}
