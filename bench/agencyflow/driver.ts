/**
 * Driving agencyflow through its HTTP API only, as its people do: managers open and plan
 * projects, leadership approves, staff claim and deliver, managers review, clients' feedback and
 * payments are recorded. Every request is timed under a label (`create`, `claim`, `read project`…)
 * with its status, so a phase can report latencies and count failures.
 */
import type { ProjectStatus } from '../../workflows/project/contract';
import type { TaskView } from '../../workflows/task/contract';
import type { Department } from '../../workflows/shared-schemas';
import { HttpError, type HttpResult, type JsonClient } from '../lib/http';
import type { ClientTiming } from '../lib/profile';
import { sleep } from '../lib/pool';

export const DEPARTMENTS: Department[] = ['design', 'copywriting', 'seo', 'ads', 'analytics'];

export interface Tokens {
  /** At least one; projects are spread over them. */
  managers: string[];
  leadership: string;
  staff: Record<Department, string>;
}

/** The demo people directory's tokens (config/people.example.json). */
export const DEMO_TOKENS: Tokens = {
  managers: ['demo-manager-anna-token', 'demo-manager-boris-token'],
  leadership: 'demo-leadership-lena-token',
  staff: {
    design: 'demo-staff-design-dima-token',
    copywriting: 'demo-staff-copy-ivan-token',
    seo: 'demo-staff-seo-maria-token',
    ads: 'demo-staff-ads-pavel-token',
    analytics: 'demo-staff-analytics-nina-token',
  },
};

/** A request as the client saw it: its label and answer, and its times (to line up with the API's stage records). */
export interface RequestLog extends ClientTiming {
  label: string;
  status: number;
}

/** Short policies so whole lifecycles run in seconds; long enough that no reminder fires. */
export const FAST_POLICY = {
  approvalSla: '10m',
  escalationSla: '20m',
  reminderLead: '1m',
  overdueGrace: '10m',
  acceptanceWindow: '10m',
  paymentTerms: '10m',
  paymentEscalation: '10m',
  startAfterPrepayment: false,
};

export interface PlanTaskRequest {
  key: string;
  department: Department;
  title: string;
  estimateHours: number;
  dueAt: string;
  price: number;
  dependsOn?: string[];
}

export const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

let sequence = 0;

export class Agency {
  /** Called for every request made (label, status, ms). */
  onRequest?: (entry: RequestLog) => void;
  /** Polling as a page that refreshes would: soon at first, then less often (×1.5, at most every second). */
  pollFirstMs = 100;
  pollMaxMs = 1_000;

  constructor(
    readonly http: JsonClient,
    readonly tokens: Tokens,
  ) {}

  manager(i: number): string {
    return this.tokens.managers[i % this.tokens.managers.length];
  }

  private async call<T>(label: string, method: string, path: string, token: string, body?: unknown, expected?: number[]): Promise<HttpResult<T>> {
    let res: HttpResult<T>;
    try {
      res = await this.http.request<T>(method, path, { token, body });
    } catch (err) {
      this.onRequest?.({ label, status: 0, ms: NaN });
      throw err;
    }
    const requestId = res.headers['x-request-id'];
    this.onRequest?.({ label, status: res.status, ms: res.ms, sentAt: res.sentAt, receivedAt: res.receivedAt, ...(typeof requestId === 'string' && { requestId }) });
    const good = expected ? expected.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!good) throw new HttpError(method, path, res.status, res.body);
    return res;
  }

  async createProject(
    managerToken: string,
    options: { departments?: Department[]; policy?: Record<string, unknown>; title?: string; label?: string } = {},
  ): Promise<{ projectId: string; status: ProjectStatus; ms: number }> {
    const n = ++sequence;
    const res = await this.call<ProjectStatus>(options.label ?? 'create', 'POST', '/api/projects', managerToken, {
      client: { id: `bench-client-${n % 50}`, name: `Bench Client ${n % 50}`, segment: n % 2 ? 'B2B' : 'B2C', email: 'buyer@client.example' },
      title: options.title ?? `Bench project ${n}`,
      brief: 'A landing page, its copy, SEO and an ads campaign.',
      departments: options.departments ?? DEPARTMENTS,
      budget: { amount: 10_000, currency: 'EUR' },
      desiredDeadline: inMs(60 * 86_400_000),
      policy: options.policy ?? FAST_POLICY,
    });
    const projectId = res.body.projectId ?? (res.headers.location as string | undefined)?.split('/').pop();
    if (!projectId) throw new Error(`create answered ${res.status} without a project id`);
    return { projectId, status: res.body, ms: res.ms };
  }

  async submitPlan(
    managerToken: string,
    projectId: string,
    tasks: PlanTaskRequest[],
    options: { prepaymentPercent?: number; includedRevisionRounds?: number } = {},
  ): Promise<ProjectStatus> {
    const res = await this.call<ProjectStatus>('submit plan', 'PUT', `/api/projects/${projectId}/plan`, managerToken, {
      tasks,
      prepaymentPercent: options.prepaymentPercent ?? 0,
      includedRevisionRounds: options.includedRevisionRounds ?? 1,
    });
    return res.body;
  }

  async approvePlan(projectId: string, planVersion: number): Promise<ProjectStatus> {
    const res = await this.call<ProjectStatus>('approve plan', 'POST', `/api/projects/${projectId}/plan/decision`, this.tokens.leadership, {
      planVersion,
      decision: 'approve',
      comment: 'Go',
    });
    return res.body;
  }

  /** Creates a project, plans it and has leadership approve it: its tasks start. */
  async openProject(managerToken: string, tasks: PlanTaskRequest[], options: { policy?: Record<string, unknown> } = {}): Promise<string> {
    const departments = [...new Set(tasks.map((t) => t.department))];
    const { projectId } = await this.createProject(managerToken, { departments, policy: options.policy });
    const planned = await this.submitPlan(managerToken, projectId, tasks);
    await this.approvePlan(projectId, planned.pendingPlanVersion ?? 1);
    return projectId;
  }

  async project(projectId: string, token: string, label = 'read project'): Promise<HttpResult<ProjectStatus>> {
    return this.call<ProjectStatus>(label, 'GET', `/api/projects/${projectId}`, token);
  }

  async task(taskId: string, token: string, label = 'read task'): Promise<HttpResult<TaskView>> {
    return this.call<TaskView>(label, 'GET', `/api/tasks/${taskId}`, token);
  }

  async taskAction(
    action: 'claim' | 'release' | 'submit' | 'review',
    taskId: string,
    token: string,
    body: unknown = {},
  ): Promise<HttpResult<TaskView>> {
    return this.call<TaskView>(action, 'POST', `/api/tasks/${taskId}/${action}`, token, body);
  }

  inbox(staffToken: string, label = 'inbox'): Promise<HttpResult<{ items: unknown[] }>> {
    return this.call(label, 'GET', '/api/tasks', staffToken);
  }

  projectList(managerToken: string, label = 'project list'): Promise<HttpResult<{ items: unknown[] }>> {
    return this.call(label, 'GET', '/api/projects', managerToken);
  }

  portfolio(token: string, label = 'portfolio'): Promise<HttpResult<unknown>> {
    return this.call(label, 'GET', '/api/reports/portfolio', token);
  }

  async feedback(projectId: string, managerToken: string, feedback: Record<string, unknown>): Promise<ProjectStatus> {
    return (await this.call<ProjectStatus>('feedback', 'POST', `/api/projects/${projectId}/feedback`, managerToken, feedback)).body;
  }

  async pay(projectId: string, managerToken: string, invoice: { number: string; amount: number }): Promise<ProjectStatus> {
    return (
      await this.call<ProjectStatus>('payment', 'POST', `/api/projects/${projectId}/payments`, managerToken, {
        invoiceNumber: invoice.number,
        amount: invoice.amount,
        paidAt: new Date().toISOString(),
        reference: `bank-${invoice.number}`,
      })
    ).body;
  }

  /** Polls the project (as its manager) until `done`. */
  async waitForProject(projectId: string, token: string, what: string, done: (s: ProjectStatus) => boolean, timeoutMs = 120_000): Promise<ProjectStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: ProjectStatus | undefined;
    let delay = this.pollFirstMs;
    for (;;) {
      try {
        last = (await this.project(projectId, token, 'poll project')).body;
        if (done(last)) return last;
      } catch (err) {
        if (!(err instanceof HttpError) || err.status < 500) throw err;
      }
      if (Date.now() > deadline) throw new Error(`project ${projectId}: timed out waiting for ${what} (stage ${last?.stage})`);
      await sleep(delay);
      delay = Math.min(this.pollMaxMs, delay * 1.5);
    }
  }

  async waitForTask(taskId: string, token: string, status: string, timeoutMs = 120_000): Promise<TaskView> {
    const deadline = Date.now() + timeoutMs;
    let last: TaskView | undefined;
    let delay = this.pollFirstMs;
    for (;;) {
      try {
        last = (await this.task(taskId, token, 'poll task')).body;
        if (last.status === status) return last;
      } catch (err) {
        // A task the project has not started yet is 404 for a moment.
        if (!(err instanceof HttpError) || (err.status !== 404 && err.status < 500)) throw err;
      }
      if (Date.now() > deadline) throw new Error(`task ${taskId}: timed out waiting for ${status} (is ${last?.status})`);
      await sleep(delay);
      delay = Math.min(this.pollMaxMs, delay * 1.5);
    }
  }

  /** Staff claim, deliver; the manager accepts (after `rework` rounds of changes). */
  async deliverTask(taskId: string, department: Department, managerToken: string, rework = 0): Promise<void> {
    const staff = this.tokens.staff[department];
    await this.waitForTask(taskId, staff, 'open');
    await this.taskAction('claim', taskId, staff);
    for (let round = 0; round <= rework; round++) {
      await this.taskAction('submit', taskId, staff, { summary: `Delivery ${round + 1}`, links: ['https://files.example/work'] });
      const last = round === rework;
      await this.taskAction('review', taskId, managerToken, last ? { decision: 'accept' } : { decision: 'changes_requested', comment: 'Again, please' });
    }
  }
}

export function planTask(key: string, department: Department, options: { dependsOn?: string[]; price?: number } = {}): PlanTaskRequest {
  return {
    key,
    department,
    title: `${department} work ${key}`,
    estimateHours: 4,
    dueAt: inMs(7 * 86_400_000),
    price: options.price ?? 1_000,
    ...(options.dependsOn && { dependsOn: options.dependsOn }),
  };
}
