/**
 * Calls cancelled mid-flight against a Temporal dev server, as the API cancels the queries it
 * answers from its store, and whether the server still answers plain calls afterwards.
 *
 *   npm run repro:cancelled-calls [-- seconds [cli-path [db-file]]]
 *
 * Without a CLI path it uses the project's (npm run temporal:ensure); without a db file, a
 * throwaway one (common/dev-server.ts). What it showed here on 2026-12-04 (15–45 s, 16 callers):
 * the plain release of CLI v1.5.1 (modernc.org/sqlite v1.34.1) answered "interrupted (9)" to every
 * call from about 20 s on, in memory and on a file alike, until restarted; the build in
 * scripts/temporal-cli (v1.44.3) on a file answered every call (thousands, none failed); the same
 * build on SQLite's in-memory database lost every table within a second (hence no in-memory server).
 */
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../common/dev-server';
import { ensureTemporalCli, type TemporalCli } from '../common/temporal-cli';

export interface CancelledCallsResult {
  /** Calls that answered. */
  answered: number;
  /** Calls cancelled by their caller before they answered (the point of the exercise). */
  cancelled: number;
  /** Plain calls (never cancelled), once a second, that failed or took over 5 s: what a user would have seen. */
  failedChecks: string[];
  checks: number;
  /**
   * The same plain calls once the cancelling stopped (15 s to answer): undefined when they
   * answered, else why not. A server that was only slow under the load answers here; a stuck one,
   * or one that lost its tables, does not.
   */
  afterwards?: string;
}

/**
 * For `seconds`, `callers` loops each start a read or a signal on one of a few workflows and cancel
 * it within `cancelWithinMs` (most land while the server is still at work on it); beside them,
 * once a second, a plain describe, count and signal must answer.
 */
export async function cancelledCalls(address: string, seconds: number, callers = 16, cancelWithinMs = 6): Promise<CancelledCallsResult> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      // Nobody polls this task queue: the workflows just exist, to be read and signalled.
      const handle = await client.workflow.start('nothing', { taskQueue: `nobody-${Date.now()}`, workflowId: `cancelled-calls-${Date.now()}-${i}` });
      ids.push(handle.workflowId);
    }
    const pick = (): string => ids[Math.floor(Math.random() * ids.length)];
    const calls: Array<() => Promise<unknown>> = [
      () => client.workflow.getHandle(pick()).describe(),
      () => client.workflow.count(`WorkflowId = '${pick()}' OR ExecutionStatus = 'Running'`),
      async () => {
        for await (const execution of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) void execution;
      },
      () => client.workflow.getHandle(pick()).fetchHistory(),
      () => client.workflow.getHandle(pick()).signal('poke', Date.now()),
    ];
    const result: CancelledCallsResult = { answered: 0, cancelled: 0, failedChecks: [], checks: 0 };
    const end = Date.now() + seconds * 1000;

    async function caller(): Promise<void> {
      while (Date.now() < end) {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), Math.random() * cancelWithinMs);
        try {
          await connection.withAbortSignal(abort.signal, calls[Math.floor(Math.random() * calls.length)]);
          result.answered += 1;
        } catch {
          // Only cancelled calls may fail; anything else shows in the plain checks below.
          if (abort.signal.aborted) result.cancelled += 1;
        } finally {
          clearTimeout(timer);
        }
      }
    }

    /** A describe, a count and a signal, as a user's read and action would make them: why they failed, if they did. */
    async function plainCalls(withinMs: number): Promise<string | undefined> {
      try {
        await connection.withDeadline(Date.now() + withinMs, async () => {
          await client.workflow.getHandle(ids[0]).describe();
          await client.workflow.count(`ExecutionStatus = 'Running'`);
          await client.workflow.getHandle(ids[1]).signal('poke', Date.now());
        });
        return undefined;
      } catch (err) {
        const cause = (err as Error & { cause?: Error }).cause;
        return `${(err as Error).message}${cause ? `: ${cause.message}` : ''}`;
      }
    }

    async function check(): Promise<void> {
      while (Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        result.checks += 1;
        // A check that hangs fails too: a user would have given up after a few seconds.
        const failed = await plainCalls(5_000);
        if (failed) result.failedChecks.push(failed);
      }
    }

    await Promise.all([...Array.from({ length: callers }, caller), check()]);
    const afterwards = await plainCalls(15_000);
    return afterwards ? { ...result, afterwards } : result;
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const [seconds = '30', cliPath, dbFilename] = process.argv.slice(2);
  const cli: TemporalCli = cliPath ? { kind: 'binary', path: cliPath, source: 'argument' } : await ensureTemporalCli({ allowDownload: false });
  const server = await startDevServer({ cli, namespace: 'default', retentionMs: 86_400_000, ...(dbFilename && { dbFilename }) });
  try {
    const result = await cancelledCalls(server.address, Number(seconds));
    const { failedChecks, ...counts } = result;
    process.stdout.write(`${JSON.stringify({ cli: cli.kind === 'binary' ? cli.path : cli.kind, ...counts, failedChecks: failedChecks.length, firstFailure: failedChecks[0] })}\n`);
    process.exitCode = failedChecks.length === 0 && !result.afterwards ? 0 : 1;
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
