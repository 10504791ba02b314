/**
 * A person beside P2's load: a process of its own (a session of its own, at the API's CPU share)
 * that reads what the lifecycles are doing — a project's page and one of the tasks it links to
 * (its approved plan's), then the next project, 100 ms apart, and the design department's inbox
 * every 250 ms — as someone at a screen would while twenty others work. The lifecycles' own
 * polls are timed inside the bench process, whose event loop also drives all twenty lifecycles
 * and parses every answer: a reader there waits for that too, which no person's browser does.
 * This process times the same reads without it, over its own keep-alive connections.
 *
 * IPC: `{ type: 'watch' | 'unwatch', projectId }` from the bench, `{ type: 'stop' }` to finish;
 * it answers `{ type: 'ready' }` and, on stop, `{ type: 'samples', samples, statuses }`.
 */
import { JsonClient } from '../lib/http';
import { sleep } from '../lib/pool';
import { watchLoopDelay } from '../lib/loop-delay';
import type { ProjectStatus } from '../../workflows/project/contract';
import { READER_LABELS, type ReaderSamples } from './stack';

type Message = { type: 'watch' | 'unwatch'; projectId: string } | { type: 'stop' };

/** The tasks a project page links to: those of its approved plan (none before the approval). */
function linkedTaskKeys(project: unknown): string[] {
  const status = project as Partial<Pick<ProjectStatus, 'plans' | 'approvedPlanVersion'>> | undefined;
  return status?.plans?.find((plan) => plan.version === status.approvedPlanVersion)?.tasks.map((task) => task.key) ?? [];
}

async function main(): Promise<void> {
  const { BENCH_API_URL: apiUrl, BENCH_LEADERSHIP_TOKEN: leadership, BENCH_INBOX_TOKEN: staff } = process.env;
  if (!apiUrl || !leadership || !staff) throw new Error('BENCH_API_URL, BENCH_LEADERSHIP_TOKEN and BENCH_INBOX_TOKEN are required');
  const http = new JsonClient(apiUrl);
  const watched: string[] = [];
  const samples: Record<string, number[]> = {};
  const statuses: Record<string, Record<number, number>> = {};
  const record = (label: string, status: number, ms: number) => {
    (samples[label] ??= []).push(ms);
    (samples[`${label} ${status}`] ??= []).push(ms);
    const byStatus = (statuses[label] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  };
  /** The answer's body (undefined when none came). */
  const read = async (label: string, path: string, token: string): Promise<unknown> => {
    const started = performance.now();
    try {
      const res = await http.request('GET', path, { token, timeoutMs: 30_000 });
      record(label, res.status, res.ms);
      return res.body;
    } catch {
      record(label, 0, performance.now() - started);
      return undefined;
    }
  };
  let stopping = false;
  process.on('message', (message: Message) => {
    if (message.type === 'watch') watched.push(message.projectId);
    else if (message.type === 'unwatch') {
      const at = watched.indexOf(message.projectId);
      if (at >= 0) watched.splice(at, 1);
    } else stopping = true;
  });

  const pages = (async () => {
    for (let i = 0; !stopping; i++) {
      const projectId = watched[i % Math.max(1, watched.length)];
      if (projectId) {
        // Then one of the tasks that page links to, as a person would follow a link (a task
        // planned but not started yet answers 404 "not started yet").
        const keys = linkedTaskKeys(await read(READER_LABELS.project, `/api/projects/${projectId}`, leadership));
        if (keys.length > 0) await read(READER_LABELS.task, `/api/tasks/${projectId}.${keys[i % keys.length]}`, leadership);
      }
      await sleep(100);
    }
  })();
  const inbox = (async () => {
    while (!stopping) {
      await read(READER_LABELS.inbox, '/api/tasks', staff);
      await sleep(250);
    }
  })();
  const loop = watchLoopDelay();
  process.send?.({ type: 'ready' });
  await Promise.all([pages, inbox]);
  http.close();
  const done: ReaderSamples = { type: 'samples', samples, statuses, loopDelay: loop.stop() };
  process.send?.(done); // the bench stops this process once it has them
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
