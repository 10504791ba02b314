/**
 * How eagerly V8 collects garbage in the worker process: its memory per cached workflow.
 *
 * Measured (bench/README.md, Worker memory (P4)): with V8's defaults the worker's RSS held about
 * 3,850 cached workflows per GB; most of what was not the workflows themselves was garbage — each
 * thread's young generation grows to 16 MB semi-spaces under load, and the old generation grows
 * by a large factor before its next full collection and is not handed back within seconds of
 * idleness. Smaller semi-spaces and a smaller growing factor keep the garbage small for a few
 * percent more CPU. The flags are set before the worker creates its workflow threads, so their
 * heaps start with them; in `npm start` they apply to the API in the same process too.
 * `WORKER_HEAP_FLAGS=` (empty) keeps V8's defaults.
 */
import v8 from 'node:v8';

/** What the README's measurements were taken with (`WORKER_HEAP_FLAGS`). */
export const DEFAULT_WORKER_HEAP_FLAGS = '--max-semi-space-size=2 --heap-growing-percent=15';

/** The V8 flags an operator may set here: heap sizing only, nothing that changes what code does. */
export const ALLOWED_HEAP_FLAGS = [
  'max-semi-space-size',
  'min-semi-space-size',
  'semi-space-growth-factor',
  'heap-growing-percent',
  'max-old-space-size',
] as const;

const FLAG = /^--([a-z-]+)=\d+$/;

/** The flags in `text` (space-separated `--name=number`), or why they are refused. */
export function parseHeapFlags(text: string): { flags: string[] } | { error: string } {
  const flags = text.split(/\s+/).filter((t) => t !== '');
  for (const flag of flags) {
    const name = FLAG.exec(flag)?.[1];
    if (!name) return { error: `"${flag}" is not of the form --name=number` };
    if (!(ALLOWED_HEAP_FLAGS as readonly string[]).includes(name)) {
      return { error: `--${name} is not one of ${ALLOWED_HEAP_FLAGS.map((f) => `--${f}`).join(', ')}` };
    }
  }
  return { flags };
}

/** Sets the flags for the rest of this process: before the worker's threads exist. */
export function applyHeapFlags(flags: readonly string[]): void {
  for (const flag of flags) v8.setFlagsFromString(flag);
}
