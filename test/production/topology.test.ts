/**
 * What the production topology promises beyond the lifecycle journey, checked against the running
 * processes of `npm run test:production` (never part of `npm test`): /metrics only with its token,
 * the Temporal server's own Prometheus metrics, each worker's health endpoint, the API refusing
 * the people directory of the demo, the documents where DOCUMENTS_STORE puts them, and a completed
 * project's workflow run again for a complaint after its window.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ProjectStatus } from '../../workflows/project/contract';
import { completedProject, downloadedContract, openDesignTask, startHttpHarness } from '../support/api';

const execFileAsync = promisify(execFile);

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm run test:production\``);
  return value;
}

test('/metrics answers only with the METRICS_TOKEN bearer token', async () => {
  const url = `${env('AGENCYFLOW_API_URL')}/metrics`;
  const anonymous = await fetch(url);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
  expect((await fetch(url, { headers: { Authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
  const scraped = await fetch(url, { headers: { Authorization: `Bearer ${env('AGENCYFLOW_METRICS_TOKEN')}` } });
  expect(scraped.status).toBe(200);
  expect(await scraped.text()).toContain('agencyflow_http_requests_total');
});

test('the Temporal server exports its Prometheus metrics', async () => {
  const res = await fetch(env('AGENCYFLOW_TEMPORAL_METRICS_URL'));
  expect(res.status).toBe(200);
  const text = await res.text();
  // Requests the frontend served, by operation: proof the metrics are the server's own.
  expect(text).toMatch(/^service_requests\{.*operation="StartWorkflowExecution".*\} \d+/m);
});

test('every worker answers its health and readiness checks', async () => {
  const urls = env('AGENCYFLOW_WORKER_HEALTH_URLS').split(',');
  expect(urls.length).toBeGreaterThanOrEqual(1);
  for (const base of urls) {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  }
});

test('the API refuses to start on the demo people directory under PRODUCTION_CHECKS', async () => {
  // Same entry point and compose environment as the running API, only the demo directory.
  const started = execFileAsync('node', ['--import', 'tsx', 'api/main.ts'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PRODUCTION_CHECKS: 'true',
      PEOPLE_FILE: 'config/people.example.json',
      TEMPORAL_ADDRESS: env('AGENCYFLOW_TEMPORAL_ADDRESS'),
      API_PORT: '0',
    },
    timeout: 60_000,
  });
  await expect(started).rejects.toMatchObject({
    code: 78,
    stderr: expect.stringContaining('Refusing to start (PRODUCTION_CHECKS=true)'),
  });
});

test('a contract the worker makes is served by the API from where DOCUMENTS_STORE keeps documents: the reporting database leaves the folder empty', async () => {
  const h = await startHttpHarness();
  const { projectId } = await openDesignTask(h, 'Where documents live');
  const { documentId, pdf } = await downloadedContract(h, projectId);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const file = path.join(env('AGENCYFLOW_DOCUMENTS_DIR'), projectId, `${documentId}.pdf`);
  // test:production keeps them in the database, test:image in the shared folder (compose's default).
  expect(fs.existsSync(file)).toBe(env('AGENCYFLOW_DOCUMENTS_STORE') === 'filesystem');
});

test('a complaint after a completed project’s window runs its workflow again on this Temporal (update-with-start under a used id), and the run ends once it is resolved', async () => {
  const h = await startHttpHarness();
  const completed = await completedProject(h, 'Complaint after the window', '2s');
  const get = async (): Promise<ProjectStatus> => (await h.http().get(`/api/projects/${completed.projectId}`).set(h.auth('manager')).expect(200)).body as ProjectStatus;
  const windowClosings = (s: ProjectStatus): number => s.timeline.filter((e) => e.event === 'complaint_window_closed').length;
  const until = async (what: string, done: (s: ProjectStatus) => boolean): Promise<ProjectStatus> => {
    for (let i = 0; i < 120; i++) {
      const s = await get();
      if (done(s)) return s;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${completed.projectId}: ${what} not within 60 s`);
  };
  const ended = await until('the window closed', (s) => windowClosings(s) === 1);
  // The window's end is in the store a moment before its run has ended: a complaint sent at once
  // is taken by the run still ending (kept open for it) or, once it has ended, runs it again.
  const late = await h.http().post(`/api/projects/${completed.projectId}/feedback`).set(h.auth('manager')).send({ kind: 'complaint', description: 'Fades after a month' });
  expect(late.status).toBe(200);
  expect((late.body as ProjectStatus).complaints).toEqual([expect.objectContaining({ complaintId: 'c1', afterWindow: true })]);
  expect((late.body as ProjectStatus).version).toBeGreaterThan(ended.version);
  await h.http().post(`/api/projects/${completed.projectId}/complaints/c1/resolution`).set(h.auth('manager')).send({ resolution: 'Reprinted' }).expect(200);
  const settled = await until('the reopened run ended', (s) => windowClosings(s) === 2);
  expect(settled.documents.filter((d) => d.kind === 'final_report')).toHaveLength(2);
});
