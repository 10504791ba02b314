/**
 * A finished project's snapshot as the project workflow reports it, plus the people and agency
 * the activities print: enough detail that every document kind has something to show.
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../common/logger';
import { PeopleDirectory } from '../../common/people';
import type { AgencyDetails } from '../../activities/documents/pdf';
import type { InvoiceContent } from '../../activities/contract';
import { CURRENT_PATCH_BASELINE } from '../../workflows/common/patches';
import type { ProjectStatus } from '../../workflows/project/contract';
import type { TaskInput } from '../../workflows/task/contract';

export const agency: AgencyDetails = {
  name: 'Northwind Creative Agency',
  address: '12 Market Street, Springfield',
  taxId: 'TAX-4455667788',
  bankDetails: 'Bank of Springfield, IBAN XX12 3456 7890 1234 5678, BIC SPRGXX00',
};

export const people = new PeopleDirectory([
  { id: 'anna.manager', name: 'Anna Petrova', email: 'anna.manager@agency.example', role: 'manager' },
  { id: 'lena.director', name: 'Lena Smirnova', email: 'lena.director@agency.example', role: 'leadership' },
  { id: 'oleg.director', name: 'Oleg Orlov', email: 'oleg.director@agency.example', role: 'leadership' },
  { id: 'dima.design', name: 'Dima Kozlov', email: 'dima.design@agency.example', role: 'staff', department: 'design' },
  { id: 'olga.design', name: 'Olga Morozova', email: 'olga.design@agency.example', role: 'staff', department: 'design' },
  { id: 'ivan.copy', name: 'Ivan Volkov', email: 'ivan.copy@agency.example', role: 'staff', department: 'copywriting' },
  {
    id: 'konstantin.ads',
    name: 'Konstantin Konstantinopolsky-Vasilevsky',
    email: 'konstantin.ads@agency.example',
    role: 'staff',
    department: 'ads',
  },
]);

export function sampleSnapshot(projectId: string, overrides: Partial<ProjectStatus> = {}): ProjectStatus {
  const plan1Tasks = [
    {
      key: 'design',
      department: 'design' as const,
      title: 'Landing page design',
      description: '',
      estimateHours: 40,
      dueAt: '2026-03-10T17:00:00Z',
      price: 4000,
      dependsOn: [],
    },
  ];
  const plan2Tasks = [
    { ...plan1Tasks[0], price: 3500 },
    {
      key: 'copy',
      department: 'copywriting' as const,
      title: 'Landing page copy',
      description: 'Headlines and body text',
      estimateHours: 12.5,
      dueAt: '2026-03-08T17:00:00Z',
      price: 1234.5,
      dependsOn: [],
    },
  ];
  return {
    projectId,
    version: 42,
    stage: 'completed',
    stageEnteredAt: '2026-04-02T09:00:00Z',
    title: 'Spring campaign landing page',
    brief: 'A landing page for the spring campaign, with copy and a design that matches the brand book.',
    client: { id: 'cl-7', name: 'Globex Corporation', segment: 'B2B', email: 'buyer@globex.example' },
    segment: 'B2B',
    managerId: 'anna.manager',
    departments: ['design', 'copywriting'],
    budget: { amount: 6000, currency: 'EUR' },
    desiredDeadline: '2026-03-15T17:00:00Z',
    policy: {
      approvalSlaMs: 86_400_000,
      escalationSlaMs: 172_800_000,
      reminderLeadMs: 86_400_000,
      overdueGraceMs: 86_400_000,
      acceptanceWindowMs: 5 * 86_400_000,
      paymentTermsMs: 14 * 86_400_000,
      paymentEscalationMs: 7 * 86_400_000,
      startAfterPrepayment: true,
    },
    intakeAt: '2026-03-01T09:00:00Z',
    firstPlanAt: '2026-03-01T13:00:00Z',
    responseTimeMs: 4 * 3_600_000,
    plans: [
      {
        version: 1,
        submittedAt: '2026-03-01T13:00:00Z',
        submittedBy: 'anna.manager',
        tasks: plan1Tasks,
        prepaymentPercent: 30,
        includedRevisionRounds: 1,
        total: 4000,
        decision: { decision: 'reject', comment: 'Add the copy to the plan', by: 'lena.director', at: '2026-03-01T15:00:00Z' },
      },
      {
        version: 2,
        submittedAt: '2026-03-01T16:00:00Z',
        submittedBy: 'anna.manager',
        tasks: plan2Tasks,
        prepaymentPercent: 30,
        includedRevisionRounds: 1,
        total: 4734.5,
        decision: { decision: 'approve', comment: 'Go ahead', by: 'lena.director', at: '2026-03-02T10:00:00Z' },
      },
    ],
    approvedPlanVersion: 2,
    tasks: [
      {
        taskId: `${projectId}.design`,
        key: 'design',
        department: 'design',
        title: 'Landing page design',
        status: 'accepted',
        assigneeId: 'dima.design',
        dueAt: '2026-03-10T17:00:00Z',
        originalDueAt: '2026-03-10T17:00:00Z',
        price: 3500,
        dependsOn: [],
        reviewRounds: 1,
        firstSubmittedAt: '2026-03-08T16:00:00Z',
        submittedAt: '2026-03-09T12:00:00Z',
        acceptedAt: '2026-03-10T11:00:00Z',
        onTime: true,
        overdue: false,
      },
      {
        taskId: `${projectId}.copy`,
        key: 'copy',
        department: 'copywriting',
        title: 'Landing page copy',
        status: 'accepted',
        assigneeId: 'ivan.copy',
        dueAt: '2026-03-08T17:00:00Z',
        originalDueAt: '2026-03-08T17:00:00Z',
        price: 1234.5,
        dependsOn: [],
        reviewRounds: 0,
        firstSubmittedAt: '2026-03-09T09:00:00Z',
        submittedAt: '2026-03-09T09:00:00Z',
        acceptedAt: '2026-03-09T10:00:00Z',
        onTime: false,
        overdue: false,
      },
    ],
    revisions: [
      {
        round: 1,
        description: 'Brighter hero image',
        departments: ['design'],
        requestedAt: '2026-03-12T10:00:00Z',
        beyondIncluded: false,
        extraPrice: 0,
        taskIds: [],
      },
    ],
    revisionRoundsUsed: 1,
    feedback: [
      { at: '2026-03-12T10:00:00Z', kind: 'revisions_requested', description: 'Brighter hero image', recordedBy: 'anna.manager' },
      { at: '2026-03-14T10:00:00Z', kind: 'complaint', description: 'The first draft was late', recordedBy: 'anna.manager' },
      { at: '2026-03-16T10:00:00Z', kind: 'accepted', rating: 4, comment: 'Looks great', recordedBy: 'anna.manager' },
    ],
    complaints: [
      {
        complaintId: 'c-1',
        description: 'The first draft was late',
        at: '2026-03-14T10:00:00Z',
        recordedBy: 'anna.manager',
        resolution: 'Apologised and gave a discount on the next order',
        resolvedAt: '2026-03-15T10:00:00Z',
        resolvedBy: 'lena.director',
      },
    ],
    invoices: [
      {
        kind: 'prepayment',
        number: 'INV-2026-000007',
        amount: 1420.35,
        currency: 'EUR',
        issuedAt: '2026-03-02T10:00:00Z',
        dueAt: '2026-03-16T10:00:00Z',
        payments: [
          { amount: 1420.35, paidAt: '2026-03-03T10:00:00Z', reference: 'GLX-PAY-1', recordedAt: '2026-03-03T11:00:00Z', recordedBy: 'anna.manager' },
        ],
        paidAmount: 1420.35,
        status: 'paid',
      },
      {
        kind: 'final',
        number: 'INV-2026-000019',
        amount: 3314.15,
        currency: 'EUR',
        issuedAt: '2026-03-16T11:00:00Z',
        dueAt: '2026-03-30T11:00:00Z',
        payments: [],
        paidAmount: 0,
        status: 'open',
      },
    ],
    documents: [{ documentId: `doc-${projectId}-contract-1`, kind: 'contract', number: 'CTR-2026-0042', createdAt: '2026-03-02T10:00:05Z' }],
    timeline: [
      { at: '2026-03-01T09:00:00Z', event: 'project_opened', by: 'anna.manager' },
      { at: '2026-03-01T13:00:00Z', event: 'plan_submitted', detail: 'v1' },
      { at: '2026-03-02T10:00:00Z', event: 'plan_approved', detail: 'v2', by: 'lena.director' },
      { at: '2026-04-02T09:00:00Z', event: 'project_completed' },
    ],
    overdue: false,
    completedAt: '2026-04-02T09:00:00Z',
    ...overrides,
  };
}

/** A URL of 60-odd characters: the one kind of token a table may hyphenate. */
export const LONG_URL = 'https://brandbook.globex.example/assets/2026/spring-campaign-hero-v7.pdf';

/**
 * The words a narrow table column would cut ("Departmen t", "2026-11-3 0"): long titles, a long
 * hyphenated name, a department of two words, due dates moved, a URL, long timeline events.
 */
export function longNamesSnapshot(projectId: string): ProjectStatus {
  const base = sampleSnapshot(projectId);
  const [design, copy] = base.tasks;
  const plan = base.plans[1];
  return {
    ...base,
    departments: ['ads', 'analytics', 'copywriting'],
    plans: [
      base.plans[0],
      {
        ...plan,
        tasks: [
          { ...plan.tasks[0], key: 'design', department: 'ads', title: 'Internationalisation of the Departmental Communications Strategy', dueAt: '2026-11-20T17:00:00Z' },
          { ...plan.tasks[1], department: 'analytics', title: 'Contextual advertising campaign for the Department of Transportation', dueAt: '2026-11-30T17:00:00Z' },
        ],
      },
    ],
    tasks: [
      {
        ...design,
        department: 'ads',
        title: 'Internationalisation of the Departmental Communications Strategy',
        assigneeId: 'konstantin.ads',
        originalDueAt: '2026-11-20T17:00:00Z',
        dueAt: '2026-11-30T17:00:00Z',
        firstSubmittedAt: '2026-11-25T10:00:00Z',
        submittedAt: '2026-11-27T10:00:00Z',
        acceptedAt: '2026-11-28T10:00:00Z',
        onTime: false,
      },
      {
        ...copy,
        department: 'analytics',
        title: 'Contextual advertising campaign for the Department of Transportation',
        originalDueAt: '2026-11-30T17:00:00Z',
        dueAt: '2026-11-30T17:00:00Z',
        firstSubmittedAt: '2026-11-29T09:00:00Z',
        submittedAt: '2026-11-29T09:00:00Z',
        acceptedAt: '2026-11-30T10:00:00Z',
        onTime: true,
      },
    ],
    revisions: [{ ...base.revisions[0], departments: ['ads', 'analytics'], description: `Use the hero image of the brand book ${LONG_URL} everywhere` }],
    timeline: [
      ...base.timeline,
      { at: '2026-11-21T08:00:00Z', event: 'task_due_date_moved', detail: `${projectId}.design from 2026-11-20 to 2026-11-30`, by: 'anna.manager' },
      { at: '2026-11-28T10:00:00Z', event: 'cancellation_requested', detail: `see ${LONG_URL}`, by: 'konstantin.ads' },
    ],
  };
}

export const finalInvoice: InvoiceContent = {
  kind: 'final',
  number: 'INV-2026-000019',
  amount: 3314.15,
  currency: 'EUR',
  issuedAt: '2026-03-16T11:00:00Z',
  dueAt: '2026-03-30T11:00:00Z',
  lines: [
    { description: 'Landing page design', amount: 3500 },
    { description: 'Landing page copy', amount: 1234.5 },
  ],
  prepaymentDeducted: 1420.35,
};

/** A pino logger whose JSON lines the test can read. */
export function capturedLogger(): { lines: Record<string, unknown>[]; logger: Logger } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

/** A design task's start input, as a project would pass it: open at once, due in 2036. */
export function designTaskInput(projectId: string, overrides: Partial<TaskInput> = {}): TaskInput {
  return {
    projectId,
    taskKey: 'design',
    projectTitle: 'Spring campaign landing page',
    clientName: 'Globex Corporation',
    managerId: 'anna.manager',
    department: 'design',
    title: 'Landing page design',
    description: '',
    estimateHours: 8,
    dueAt: '2036-01-01T00:00:00.000Z',
    price: 100,
    dependsOn: [],
    reminderLeadMs: 3_600_000,
    overdueGraceMs: 3_600_000,
    startOpen: true,
    patchBaseline: CURRENT_PATCH_BASELINE,
    ...overrides,
  };
}
