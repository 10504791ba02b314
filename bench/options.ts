/**
 * Command line of `npm run bench`:
 *   (no flag)                full run (P3 at 1,000 projects / 5,000 tasks; several minutes)
 *   --quick                  fewer samples and a smaller P3/P4 load (under two minutes)
 *   --smoke                  a handful of operations per figure (proves the script works)
 *   --json <file>            also write the results as JSON
 *   --temporal-address h:p   use this cluster (also TEMPORAL_ADDRESS) instead of an own dev server
 *   --production-topology    start the production topology's Temporal instead of a dev server:
 *                            the Temporal server on PostgreSQL as docker-compose.yml sets it up
 *                            (test/production/stack.ts), the reporting store on that PostgreSQL
 *   --namespace <ns>         namespace on that cluster (default: TEMPORAL_NAMESPACE or "default")
 *   --api-url <url>          measure an API someone else started (its worker must serve that
 *                            cluster); tokens from --tokens, else the demo directory's
 *   --tokens <file>          {"managers":[..],"leadership":"..","staff":{"design":"..",..}}
 *   --worker-pid <pid>       with --api-url: that worker's process, for its RSS
 *   --worker-metrics-url <u> with --api-url: that worker's SDK metrics (WORKER_METRICS_PORT)
 *   --only P1,P5,...         run only these phases (P1 P5 P2 P3 P4 H)
 *   --live-projects <n>      P3/P4's load: this many live projects (each with its tasks) instead
 *                            of the mode's (full 1,000, quick 60)
 *   --glibc-malloc           run the api and workers on glibc's malloc, not on the image's
 *                            jemalloc (the Dockerfile's LD_PRELOAD), to compare P4
 *   --no-profile             leave the API's stage timers out
 *   --cpu-prof               run the API and worker under V8's CPU profiler and summarise where
 *                            their CPU went (adds overhead: use it to look, not to measure)
 *   --keep                   keep the run's directory (every process's log) after a good run too
 *   --compare <a.json> <b.json>  print the figures of two earlier runs side by side, run nothing
 *   --print <run.json>       print an earlier run's tables again (figures, where the time goes), run nothing
 */
import fs from 'node:fs';
import { DEMO_TOKENS, type Tokens } from './agencyflow/driver';

export type Mode = 'full' | 'quick' | 'smoke';
export const PHASES = ['P1', 'P5', 'P2', 'H', 'P3', 'P4'] as const;
export type Phase = (typeof PHASES)[number];

export interface Counts {
  /** P1: creates and bare starts (each), after `warmup` of each. */
  creates: number;
  warmup: number;
  /** P5: task cycles (each: claim, release, claim, submit, review, submit, review). */
  taskCycles: number;
  /** P2: in-flight levels, lifecycles per level, bare workflows per level. */
  inFlight: number[];
  lifecyclesPerSlot: number;
  bareWorkflowsPerLevel: number;
  /** P3: live projects and tasks per project loaded, reads of each kind. */
  liveProjects: number;
  tasksPerProject: number;
  snapshotReads: number;
  inboxReads: number;
  listReads: number;
  portfolioReads: number;
  /** P4: seconds the worker is left idle before and after the load before its memory is read. */
  settleSeconds: number;
  /** P4: evicted projects read (and their tasks claimed). */
  evictedSamples: number;
  /** H: the big project's tasks and revision rounds. */
  bigTasks: number;
  bigRounds: number;
}

export const COUNTS: Record<Mode, Counts> = {
  full: {
    creates: 300,
    warmup: 20,
    taskCycles: 60,
    inFlight: [5, 20],
    lifecyclesPerSlot: 2,
    bareWorkflowsPerLevel: 500,
    liveProjects: 1_000,
    tasksPerProject: 5,
    snapshotReads: 300,
    inboxReads: 200,
    listReads: 200,
    portfolioReads: 30,
    evictedSamples: 100,
    settleSeconds: 20,
    bigTasks: 50,
    bigRounds: 3,
  },
  quick: {
    creates: 40,
    warmup: 10,
    taskCycles: 8,
    inFlight: [5, 20],
    lifecyclesPerSlot: 1,
    bareWorkflowsPerLevel: 100,
    liveProjects: 60,
    tasksPerProject: 5,
    snapshotReads: 40,
    inboxReads: 30,
    listReads: 30,
    portfolioReads: 5,
    evictedSamples: 10,
    // At 60 projects P4's memory figure is only a sign of life; 2 × 20 s idle made the quick run
    // overrun its two minutes.
    settleSeconds: 5,
    bigTasks: 20,
    bigRounds: 3,
  },
  smoke: {
    creates: 5,
    warmup: 2,
    taskCycles: 2,
    inFlight: [2, 4],
    lifecyclesPerSlot: 1,
    bareWorkflowsPerLevel: 10,
    liveProjects: 6,
    tasksPerProject: 2,
    snapshotReads: 4,
    inboxReads: 4,
    listReads: 4,
    portfolioReads: 2,
    evictedSamples: 3,
    settleSeconds: 1,
    bigTasks: 5,
    bigRounds: 1,
  },
};

export interface Options {
  mode: Mode;
  counts: Counts;
  json?: string;
  temporalAddress?: string;
  productionTopology: boolean;
  namespace: string;
  apiUrl?: string;
  tokens: Tokens;
  workerPid?: number;
  workerMetricsUrl?: string;
  phases: Set<Phase>;
  profile: boolean;
  keep: boolean;
  cpuProf: boolean;
  glibcMalloc: boolean;
  compare?: [string, string];
  print?: string;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  let mode: Mode = 'full';
  const out: Partial<Options> = {};
  let phases: Set<Phase> = new Set(PHASES);
  let profile = true;
  let tokens: Tokens = DEMO_TOKENS;
  let liveProjects: number | undefined;
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--quick':
        mode = 'quick';
        break;
      case '--smoke':
        mode = 'smoke';
        break;
      case '--json':
        out.json = value(i++, arg);
        break;
      case '--temporal-address':
        out.temporalAddress = value(i++, arg);
        break;
      case '--production-topology':
        out.productionTopology = true;
        break;
      case '--namespace':
        out.namespace = value(i++, arg);
        break;
      case '--api-url':
        out.apiUrl = value(i++, arg).replace(/\/$/, '');
        break;
      case '--tokens':
        tokens = { ...DEMO_TOKENS, ...(JSON.parse(fs.readFileSync(value(i++, arg), 'utf8')) as Partial<Tokens>) };
        break;
      case '--worker-pid':
        out.workerPid = Number(value(i++, arg));
        break;
      case '--worker-metrics-url':
        out.workerMetricsUrl = value(i++, arg);
        break;
      case '--only': {
        const wanted = value(i++, arg).split(',').map((p) => p.trim().toUpperCase());
        const unknown = wanted.filter((p) => !(PHASES as readonly string[]).includes(p));
        if (unknown.length) throw new Error(`--only: unknown phase ${unknown.join(', ')} (known: ${PHASES.join(', ')})`);
        phases = new Set(wanted as Phase[]);
        break;
      }
      case '--live-projects': {
        liveProjects = Number(value(i++, arg));
        if (!Number.isInteger(liveProjects) || liveProjects < 1) throw new Error('--live-projects needs a whole number above 0');
        break;
      }
      case '--no-profile':
        profile = false;
        break;
      case '--keep':
        out.keep = true;
        break;
      case '--cpu-prof':
        out.cpuProf = true;
        break;
      case '--glibc-malloc':
        out.glibcMalloc = true;
        break;
      case '--compare':
        out.compare = [value(i++, arg), value(i++, arg)];
        break;
      case '--print':
        out.print = value(i++, arg);
        break;
      case '--help':
      case '-h':
        throw new HelpRequested();
      default:
        throw new Error(`unknown argument ${arg} (see --help)`);
    }
  }
  const temporalAddress = out.temporalAddress ?? (env.TEMPORAL_ADDRESS?.trim() || undefined);
  if (out.productionTopology && (temporalAddress || out.apiUrl)) throw new Error('--production-topology starts its own cluster: leave --temporal-address, TEMPORAL_ADDRESS and --api-url out');
  if (out.apiUrl && !temporalAddress) throw new Error('--api-url needs --temporal-address (or TEMPORAL_ADDRESS): the bare baseline and history figures run on that cluster');
  return {
    mode,
    counts: liveProjects === undefined ? COUNTS[mode] : { ...COUNTS[mode], liveProjects },
    json: out.json,
    temporalAddress,
    productionTopology: out.productionTopology ?? false,
    namespace: out.namespace ?? (env.TEMPORAL_NAMESPACE?.trim() || 'default'),
    apiUrl: out.apiUrl,
    tokens,
    workerPid: out.workerPid,
    workerMetricsUrl: out.workerMetricsUrl,
    phases,
    profile,
    keep: out.keep ?? false,
    cpuProf: out.cpuProf ?? false,
    glibcMalloc: out.glibcMalloc ?? false,
    compare: out.compare,
    print: out.print,
  };
}

export class HelpRequested extends Error {}

export const USAGE = fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^\/\*\*\n/, '').replace(/^ \* ?/gm, '');
