/**
 * The API under test: `api/main.ts` unchanged (startApiServer → createApp with real deps), with
 * stage timers hooked around it from outside so the bench can say where a request's time goes.
 *
 * - every HTTP request gets a record (AsyncLocalStorage), opened when the server emits
 *   'request' (headers parsed) and closed when the response finishes;
 * - every TemporalGateway call (start, describe, status query, update, task query) and every
 *   reporting-store read made inside it is timed into that record.
 * Records are handed to the bench over the IPC channel ({ type: 'stages' }) and then cleared, with
 * how late this process's event loop ran since the last collection when that one asked to watch it
 * (`watchLoop`: its own work, or waiting for a CPU).
 * The hooks cost a few microseconds a request; run the bench with --no-profile to leave them out.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TemporalGateway as Gateway } from '../../api/temporal-gateway';
import type { ReportingStore as Store } from '../../activities/reporting/store';
import { machineMs } from '../lib/http';
import { watchLoopDelay } from '../lib/loop-delay';

export interface StageTiming {
  name: string;
  /** ms after the request record opened */
  start: number;
  ms: number;
  failed?: boolean;
}

export interface RequestRecord {
  route: string;
  status: number;
  /** headers parsed → response finished */
  total: number;
  stages: StageTiming[];
  /** Its X-Request-Id, when its headers were parsed and when the handler ended the response
   *  (`res.end`: handed to the socket; 'finish' comes a turn of the event loop later, after the
   *  client may already have it), on the machine's clock (`machineMs`), so the bench can split a
   *  client's time into the way in, the handler and the way back. */
  id?: string;
  openedAt: number;
  endedAt: number;
}

const PROFILE = process.env.BENCH_PROFILE !== '0';
const storage = new AsyncLocalStorage<{ opened: number; stages: StageTiming[]; finished?: boolean }>();
let records: RequestRecord[] = [];

if (PROFILE) {
  /* eslint-disable @typescript-eslint/no-require-imports -- patched before api/main.ts loads them */
  const { TemporalGateway } = require('../../api/temporal-gateway') as { TemporalGateway: typeof Gateway };
  const { ReportingStore } = require('../../activities/reporting/store') as { ReportingStore: typeof Store };
  /* eslint-enable @typescript-eslint/no-require-imports */

  const wrap = (proto: object, method: string, name = method): void => {
    const target = proto as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = target[method];
    target[method] = async function (this: unknown, ...args: unknown[]) {
      const record = storage.getStore();
      // A call after its request's response (a list's refresh set going by a read from memory,
      // a write after answering): the timer's context came with it, the request's time did not.
      if (!record || record.finished) return original.apply(this, args);
      const started = performance.now();
      // Nested calls (listAll → list) are recorded once, by the outermost.
      return storage.run({ opened: record.opened, stages: [] }, async () => {
        try {
          const result = await original.apply(this, args);
          record.stages.push({ name, start: started - record.opened, ms: performance.now() - started });
          return result;
        } catch (err) {
          record.stages.push({ name, start: started - record.opened, ms: performance.now() - started, failed: true });
          throw err;
        }
      });
    };
  };
  for (const method of ['startProject', 'describeProject', 'projectStatus', 'updateProject', 'task', 'updateTask', 'projectAtStart', 'taskAtStart']) {
    wrap(TemporalGateway.prototype, method);
  }
  // The reporting store's reads (lists, single copies, reports) — not Temporal calls, but where a read's time goes.
  for (const method of ['project', 'task', 'taskOrItsProject', 'listProjects', 'listTasks', 'portfolio', 'kpis']) {
    if (typeof (ReportingStore.prototype as unknown as Record<string, unknown>)[method] === 'function') wrap(ReportingStore.prototype, method, `store.${method}`);
  }

  const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return emit.call(this, event, ...args);
    const [req, res] = args as [IncomingMessage & { route?: { path?: string } }, ServerResponse];
    const record: { opened: number; stages: StageTiming[]; finished?: boolean } = { opened: performance.now(), stages: [] };
    const openedAt = machineMs();
    let endedAt = Number.NaN;
    const end = res.end as (...endArgs: unknown[]) => ServerResponse;
    res.end = function (this: ServerResponse, ...endArgs: unknown[]) {
      if (Number.isNaN(endedAt)) endedAt = machineMs();
      return end.apply(this, endArgs);
    } as typeof res.end;
    res.once('finish', () => {
      const finished = performance.now();
      record.finished = true;
      const route = req.route?.path ? `${req.method} ${req.route.path}` : `${req.method} ${(req.url ?? '').split('?')[0]}`;
      const id = res.getHeader('X-Request-Id');
      records.push({
        route,
        status: res.statusCode,
        total: finished - record.opened,
        stages: record.stages,
        ...(typeof id === 'string' && { id }),
        openedAt,
        endedAt,
      });
    });
    return storage.run(record, () => emit.call(this, event, ...args));
  } as typeof http.Server.prototype.emit;

  // How late this process's event loop ran, watched only when asked (its 2 ms timer is not left
  // running through phases that time single requests): from one collection to the next.
  let loop: ReturnType<typeof watchLoopDelay> | undefined;
  process.on('message', (message: { type?: string; watchLoop?: boolean }) => {
    if (message?.type === 'stages') {
      const out = records;
      records = [];
      const loopDelay = loop?.stop();
      loop = message.watchLoop ? watchLoopDelay() : undefined;
      process.send?.({ type: 'stages', records: out, loopDelay });
    }
  });
}

// The API itself, exactly as `npm run api` starts it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../api/main');
