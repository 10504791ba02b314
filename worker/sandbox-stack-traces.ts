/**
 * How many stack frames the workflow sandbox records.
 *
 * For Temporal UI's "Stack Trace" tab the SDK keeps, for every pending promise of every cached
 * run, the stack trace of where it was created — source-mapped, a string and an object per frame,
 * ten frames by default (V8's `Error.stackTraceLimit`). A cached project or task waits on twenty
 * or so promises, so that was about 30 KB of every cached workflow's heap, and the sandbox freezes
 * `Error`, so workflow code cannot lower the limit. The limit of a JavaScript context is taken
 * from V8's `--stack-trace-limit` when the context is created: set while the worker creates its
 * sandbox (a worker thread and its context) and put back right after, it applies to the sandbox
 * only. The same limit shortens the stack of an error thrown in workflow code (its first frames —
 * where it was thrown — remain). `WORKER_STACK_TRACE_FRAMES=10` gives back the SDK's default.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let creating = 0;
let flagBefore = 10;
/** The flag's current value: what a context made now starts with (V8 has no getter for flags). */
const currentFlag = (): number => vm.runInContext('Error.stackTraceLimit', vm.createContext({})) as number;

export async function withSandboxStackTraceLimit<T>(frames: number, createWorker: () => Promise<T>): Promise<T> {
  if (creating === 0) flagBefore = currentFlag();
  creating += 1;
  v8.setFlagsFromString(`--stack-trace-limit=${frames}`);
  try {
    return await createWorker();
  } finally {
    creating -= 1;
    // Workers created at the same time (tests) share the flag: the last one puts it back.
    if (creating === 0) v8.setFlagsFromString(`--stack-trace-limit=${flagBefore}`);
  }
}
