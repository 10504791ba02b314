/**
 * `npm run bench` works end to end: its smallest mode (a handful of operations per figure)
 * against the run's dev server produces every figure, the stage profile and the history sizes.
 * Benchmarks are not tests: nothing here asserts a timing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { imageAllocator } from '../../bench/lib/allocator';
import { testAddress } from '../support/temporal';

jest.setTimeout(420_000);

const ROOT = path.join(__dirname, '..', '..');

/** Runs a command from the repository, its output (stdout and stderr) as the answer; throws unless it exits 0. */
async function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  let output = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`${args.slice(0, 3).join(' ')} exited ${code}:\n${output.slice(-6000)}`);
  return output;
}


interface BenchJson {
  meta: { mode: string; backgroundCpuShare?: string[]; phaseSeconds: Record<string, number>; phaseCpuStallShare: Record<string, number | null> };
  figures: { id: string; agencyflow: string; data: Record<string, unknown> }[];
  profile: { route: string; n: number; transport?: { matched: number; wayIn: { n: number } } }[];
  floors: Record<string, { n: number }>;
  history: { what: string; events: number; bytes: number }[];
}

test('npm run bench -- --smoke produces every figure', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-bench-test-'));
  const json = path.join(dir, 'bench.json');
  const output = await run(process.execPath, ['--import', 'tsx', 'bench/main.ts', '--smoke', '--temporal-address', testAddress(), '--json', json], {
    TEMPORAL_ADDRESS: '',
  });

  const result = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchJson;
  fs.rmSync(dir, { recursive: true, force: true });
  expect(result.meta.mode).toBe('smoke');
  const ids = result.figures.map((f) => f.id);
  expect(ids).toEqual(
    expect.arrayContaining([
      'P1',
      'P1.settled',
      'P1.hop',
      'P5.claim',
      'P5.submit',
      'P5.review',
      'P5.release',
      'P5.all',
      'P5.settled.claim',
      'P5.settled.submit',
      'P5.settled.review',
      'P5.settled.release',
      'P5.settled.all',
      'P2.2',
      'P2.4',
      'P2.read.project',
      'P2.read.task',
      'P2.read.inbox',
      'P2.person.project',
      'P2.person.task',
      'P2.person.inbox',
      'P2.actions',
      'H.lifecycle',
      'H.big',
      'P3.snapshot',
      'P3.inbox',
      'P3.list',
      'P3.portfolio',
      'P4.memory',
      'P4.perGb',
      'P4.perGbSettled',
      'P4.workerDown',
      'P4.evictedRead',
      'P4.cachedRead',
      'P4.evictedClaim',
      'P4.cachedRelease',
      'P4.bigRead',
      'P4.defaultCacheRead',
    ]),
  );
  // Every latency figure has samples; every figure has a value.
  for (const figure of result.figures) {
    expect({ id: figure.id, value: figure.agencyflow }).not.toEqual({ id: figure.id, value: '–' });
    const api = figure.data.agencyflow as { n?: number } | undefined;
    if (api && typeof api === 'object' && 'n' in api) expect({ id: figure.id, n: api.n }).toEqual({ id: figure.id, n: expect.any(Number) });
    if (api && typeof api === 'object' && 'n' in api) expect(api.n).toBeGreaterThan(0);
  }
  // P4.perGb has a value (checked above); in smoke mode the few cached workflows may not move RSS
  // enough for a slope, so its number is not asserted here.
  expect(result.profile.map((p) => p.route)).toEqual(
    expect.arrayContaining(['POST /api/projects', 'POST /api/tasks/:taskId/claim', 'GET /api/reports/portfolio']),
  );
  expect(result.profile.every((p) => p.n > 0)).toBe(true);
  // A create's client time lined up with the API's record of it: the way in and back split out.
  const creates = result.profile.find((p) => p.route === 'POST /api/projects');
  expect(creates?.transport?.matched).toBeGreaterThan(0);
  expect(creates?.transport?.wayIn.n).toBe(creates?.transport?.matched);
  expect(Object.keys(result.floors)).toEqual(expect.arrayContaining(['start', 'update', 'query', 'describe', 'list', 'count']));
  expect(result.history.every((h) => h.events > 0 && h.bytes > 0)).toBe(true);
  // The workers at the background CPU share, as docker-compose.yml has them, where Linux's autogroup
  // lets the bench say so (the Temporal server here is the test run's, not the bench's own).
  if (fs.existsSync('/proc/self/autogroup')) {
    expect(result.meta.backgroundCpuShare).toEqual(expect.arrayContaining(['worker', 'bare-worker']));
    expect(output).toMatch(/at the background CPU share .*: .*worker/);
  }
  // How much of each phase work waited for a CPU, where the kernel reports it (Linux PSI).
  if (fs.existsSync('/proc/pressure/cpu')) {
    expect(Object.keys(result.meta.phaseCpuStallShare).sort()).toEqual(Object.keys(result.meta.phaseSeconds).sort());
    for (const share of Object.values(result.meta.phaseCpuStallShare)) expect(share).toEqual(expect.any(Number));
    expect(output).toMatch(/\| phase \| wall s \| waited \|/);
  }
  // The table is printed too.
  expect(output).toContain('| figure | agencyflow | bare Temporal |');
});

test('npm run bench:p4-floor measures the SDK worker per cached workflow at each history length', async () => {
  const output = await run(process.execPath, ['--import', 'tsx', 'bench/p4-floor.ts', '--workflows', '20', '--activities', '0,1', '--settle-seconds', '1']);
  const line = output.split('\n').find((l) => l.startsWith('{"workflows"'));
  const result = JSON.parse(line ?? 'null') as { workflows: number; results: { activities: number; events: number; kibPerWorkflow: number }[] };
  expect(result.workflows).toBe(20);
  // Each workflow really waited after its activities: 4 events, and 6 more per activity.
  expect(result.results.map((r) => [r.activities, r.events])).toEqual([
    [0, 4],
    [1, 10],
  ]);
  for (const r of result.results) expect(typeof r.kibPerWorkflow).toBe('number');
  expect(output).toMatch(/each history event of a cached run: about -?\d+ bytes/);
});

test('npm run bench:native-split splits a worker-like process’s native memory growth by allocation site', async () => {
  const preload = imageAllocator({ glibc: false }).preload;
  if (!preload) throw new Error('jemalloc is not installed here (apt-get install libjemalloc2, then link it as .ci/run does)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-native-split-'));
  // A process that maps the SDK's core bridge (as the worker does) and then keeps 24 MiB of
  // native buffers; jemalloc writes a profile after every 4 MiB allocated.
  const grow = `require('@temporalio/core-bridge'); const kept = []; for (let i = 0; i < 24; i++) kept.push(Buffer.alloc(1 << 20, 1)); setTimeout(() => kept.length, 10);`;
  await run(process.execPath, ['-e', grow], {
    LD_PRELOAD: preload,
    MALLOC_CONF: `prof:true,lg_prof_sample:12,lg_prof_interval:22,prof_prefix:${dir}/p`,
  });
  const output = await run(process.execPath, ['--import', 'tsx', 'bench/native-split.ts', dir, '--per', '24']);
  const header = /native memory ([\d.]+) MiB .* → ([\d.]+) MiB at the peak .*: \+([\d.]+) MiB, ([\d.]+) KiB for each of 24/.exec(output);
  expect(header).not.toBeNull();
  // Most of the 24 MiB kept after the first profile shows as growth, about 1 MiB for each buffer.
  expect(Number(header![3])).toBeGreaterThan(12);
  expect(Number(header![4])).toBeGreaterThan(512);
  expect(output).toMatch(/^\s+[\d.]+ MiB\s+\d+%\s+[\d.]+ KiB each {2}node/m);
});

test('npm run bench:api-alone measures a create through the API with nothing behind it, back to back and spaced out', async () => {
  const output = await run(process.execPath, ['--import', 'tsx', 'bench/api-alone.ts', '--creates', '30', '--gapped', '3', '--gap-ms', '20']);
  expect(output).toMatch(/^\| back to back \| 30 \| [\d.]+ \| [\d.]+ \|$/m);
  expect(output).toMatch(/^\| each 20 ms after the one before \| 3 \| [\d.]+ \| [\d.]+ \|$/m);
  expect(output).toMatch(/API process CPU per create, back to back: [\d.]+ ms/);
});
