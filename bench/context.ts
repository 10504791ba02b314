/** What every phase of the bench shares. */
import type { Client } from '@temporalio/client';
import type { Agency } from './agencyflow/driver';
import type { ApiProcess, WorkerProcess } from './agencyflow/stack';
import type { Bare } from './bare/client';
import type { JsonClient } from './lib/http';
import type { StageBreakdown } from './lib/profile';
import type { Figure } from './lib/report';
import type { CpuSample } from './lib/cpu';
import type { ThreadSummary } from './lib/cpu-profile';
import type { Summary } from './lib/stats';
import type { Counts, Options } from './options';

export interface HistoryFigure {
  what: string;
  workflows: number;
  events: number;
  bytes: number;
  /** The largest single workflow history of the set. */
  largestEvents: number;
  largestBytes: number;
}

export interface BenchContext {
  options: Options;
  counts: Counts;
  http: JsonClient;
  agency: Agency;
  client: Client;
  bare: Bare;
  /** The API process the bench started (stage timers, RSS); undefined with --api-url. */
  api?: ApiProcess;
  /** The worker process the bench started; undefined with --api-url. */
  worker?: WorkerProcess;
  /** Replaces the worker process by a fresh one with this cache size (own stack only). */
  restartWorker?: (maxCachedWorkflows: number, whileDown?: () => Promise<void>) => Promise<WorkerProcess>;
  /** RSS of the worker in MiB (own process, or --worker-pid). */
  workerRss(): number | undefined;
  /** The worker's SDK metrics (own process, or --worker-metrics-url). */
  workerMetrics(): Promise<Map<string, number> | undefined>;
  /** The worker's task queue, to pick its series out of the metrics. */
  taskQueue?: string;
  figures: Figure[];
  /** Bare Temporal calls measured on the way (start, update, query, describe, list, count). */
  floors: Record<string, Summary>;
  profile: StageBreakdown[];
  history: HistoryFigure[];
  notes: string[];
  /** With --cpu-prof: where the API's and worker's threads spent their CPU. */
  cpuProfiles?: ThreadSummary[];
  /** Projects with open tasks loaded for P3, reused by P4. */
  live: { projectId: string; managerToken: string; taskIds: string[] }[];
  /** The 50-task project, completed (H), reused by P4. */
  bigProjectId?: string;
  /** CPU seconds used so far by each process of the run (bench, api, worker, store, bare worker, temporal). */
  cpu(): CpuSample;
  /** Where the run's processes write their logs. */
  logDir: string;
  log(message: string): void;
}
