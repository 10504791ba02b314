/**
 * `npm start`'s embedded reporting store keeps every figure across a restart: a project opened
 * and planned through HTTP shows in the KPIs and the portfolio, the process is stopped (Ctrl-C)
 * and started again on the same DATA_DIR, and the same figures come back from the PGlite files.
 * Also: `npm run reports:rebuild` beside the running `npm start` finds its store and adds nothing.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KpiReport, PortfolioReport } from '../../api/schemas';
import { eventually } from '../support/temporal';
import { startOnFreePorts, type StartPorts } from '../support/ports';

jest.setTimeout(300_000);
const ROOT = path.join(__dirname, '..', '..');
const ANNA = { Authorization: 'Bearer demo-manager-anna-token', 'Content-Type': 'application/json' };
const LENA = { Authorization: 'Bearer demo-leadership-lena-token', 'Content-Type': 'application/json' };

async function npmStart(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 180_000;
  while (!/Reports:\s+\S+/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, output: () => output };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

async function json<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

test('figures survive npm start being stopped and started; the rebuild beside it adds nothing', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-reports-start-'));
  const envOn = (ports: StartPorts) => ({
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    API_PORT: String(ports.api),
    TEMPORAL_ADDRESS: '',
    REPORTING_DATABASE_URL: '',
    LOG_LEVEL: 'warn',
  });
  const period = () => `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`;
  try {
    const first = await startOnFreePorts((ports) => npmStart(envOn(ports)));
    const env = envOn(first.ports);
    const api = `http://127.0.0.1:${first.ports.api}`;
    let started = first.started;
    let kpisBefore: KpiReport;
    let projectId: string;
    try {
      expect(started.output()).toMatch(new RegExp(`Reports:\\s+embedded PGlite in ${path.join(dataDir, 'reporting').replace(/[/\\\\.]/g, '\\$&')}`));
      for (let i = 0; i < 100 && (await fetch(`${api}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 300));
      const created = await json<{ projectId: string }>(`${api}/api/projects`, {
        method: 'POST',
        headers: ANNA,
        body: JSON.stringify({
          client: { id: 'acme', name: 'ACME Ltd', segment: 'B2B', email: 'buyer@acme.example' },
          title: 'Kept across restarts',
          brief: 'Landing page',
          departments: ['design'],
          budget: { amount: 5000, currency: 'EUR' },
          desiredDeadline: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        }),
      });
      expect(created.status).toBe(201);
      projectId = created.body.projectId;
      const planned = await json(`${api}/api/projects/${projectId}/plan`, {
        method: 'PUT',
        headers: ANNA,
        body: JSON.stringify({
          tasks: [{ key: 'design', department: 'design', title: 'Design', estimateHours: 8, dueAt: new Date(Date.now() + 3_600_000).toISOString(), price: 1200 }],
        }),
      });
      expect(planned.status).toBe(200);
      // The workflow publishes its snapshot right after the change; the report shows it within seconds.
      const report = await eventually(
        async () => {
          const r = await json<KpiReport>(`${api}/api/reports/kpis?${period()}`, { headers: LENA });
          expect(r.status).toBe(200);
          return r.body.responseTime.overall.projects === 1 && r;
        },
        { what: 'the plan in the KPIs' },
      );
      // The workflow may still publish after the answer that put the plan in the store (the store's
      // newest write, `asOf`, moves on): compare with the report once the store has been quiet for a second.
      let last = report.body;
      kpisBefore = await eventually(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const r = await json<KpiReport>(`${api}/api/reports/kpis?${period()}`, { headers: LENA });
          const quiet = r.body.asOf === last.asOf;
          last = r.body;
          return quiet && r.body;
        },
        { what: 'the store quiet for a second' },
      );
      const portfolio = await eventually(
        async () => {
          const r = await json<PortfolioReport>(`${api}/api/reports/portfolio`, { headers: LENA });
          return r.body.plansAwaitingDecision.items.length > 0 && r;
        },
        { what: 'the plan in the portfolio' },
      );
      expect(portfolio.body.plansAwaitingDecision.items.map((i) => i.projectId)).toEqual([projectId]);

      // The rebuild finds npm start's embedded store and Temporal, and duplicates nothing.
      const rebuilt = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/reports-rebuild.ts'], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        timeout: 120_000,
      });
      expect(rebuilt.stdout).toMatch(/1 projects and 0 tasks read; 0 snapshots written, 0 facts added\./);
    } finally {
      expect(await stop(started.child)).toBe(0);
    }
    expect(fs.existsSync(path.join(dataDir, 'reporting.url'))).toBe(false);

    started = await npmStart(env);
    try {
      const again = await json<KpiReport>(`${api}/api/reports/kpis?from=${kpisBefore!.scope.from}&to=${kpisBefore!.scope.to}`, { headers: LENA });
      expect(again.status).toBe(200);
      // Everything but what is measured "now" (workload, the balance date) and the report's own time.
      const figures = (r: KpiReport) => {
        const { generatedAt: _g, workload: _w, money, ...rest } = r;
        const { outstandingAsOf: _o, ...moneyFigures } = money;
        return { ...rest, money: moneyFigures };
      };
      expect(figures(again.body)).toEqual(figures(kpisBefore!));
      const portfolio = await json<PortfolioReport>(`${api}/api/reports/portfolio`, { headers: LENA });
      expect(portfolio.body.plansAwaitingDecision.items.map((i) => i.projectId)).toEqual([projectId!]);
    } finally {
      expect(await stop(started.child)).toBe(0);
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
