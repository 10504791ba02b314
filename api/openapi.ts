/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with (the
 * workflows' schemas.ts for bodies, api/schemas.ts for queries and responses). OPERATIONS is the
 * one list of what the API serves and who may call it; a test checks it against the router.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  cancelRequestSchema,
  changeRequestDeclineSchema,
  changeRequestRecordSchema,
  handOverRequestSchema,
  complaintResolutionRequestSchema,
  complaintReworkRequestSchema,
  feedbackRequestSchema,
  paymentRequestSchema,
  paymentReversalRequestSchema,
  planDecisionRequestSchema,
  planSchema,
  projectRequestSchema,
  startWorkRequestSchema,
  writeOffRequestSchema,
} from '../workflows/project/schemas';
import type { Role } from '../workflows/shared-schemas';
import { managerHandoverRequestSchema, managerHandoverResultSchema } from '../workflows/manager-handover/schemas';
import { OIDC_FAILURES, signedOutSchema } from './oidc';
import {
  deliverableRequestSchema,
  moveDueDateRequestSchema,
  reassignRequestSchema,
  reviewRequestSchema,
} from '../workflows/task/schemas';
import {
  clientAnswerSchema,
  clientKeyQuerySchema,
  clientLinkRenewalSchema,
  clientLinkSchema,
  clientListQuerySchema,
  clientListSchema,
  clientProjectViewSchema,
  demoSignInsSchema,
  documentListSchema,
  emptyBodySchema,
  meSchema,
  peopleListSchema,
  formerPeopleListSchema,
  reassignAllRequestSchema,
  reassignAllResultSchema,
  peopleQuerySchema,
  sessionStateSchema,
  singleSignOnQuerySchema,
  signInRequestSchema,
  kpiDeliveryListSchema,
  kpiDeliveryQuerySchema,
  kpiQuerySchema,
  kpiReportSchema,
  portfolioCsvQuerySchema,
  portfolioQuerySchema,
  portfolioReportSchema,
  problemSchema,
  projectListQuerySchema,
  projectListSchema,
  projectStatusSchema,
  readinessSchema,
  salesTargetListQuerySchema,
  salesTargetListSchema,
  salesTargetParamsSchema,
  salesTargetRequestSchema,
  salesTargetSchema,
  taskContextSchema,
  plannedTaskListSchema,
  plannedTaskQuerySchema,
  taskListQuerySchema,
  taskListSchema,
  taskResponseSchema,
} from './schemas';
import { kpiWorkloadListSchema, kpiWorkloadQuerySchema } from './kpi-workload-schemas';
import { kpiResponseListSchema, kpiResponseQuerySchema } from './kpi-response-schemas';
import { kpiFeedbackListSchema, kpiFeedbackQuerySchema } from './kpi-feedback-schemas';
import { kpiMoneyListSchema, kpiMoneyQuerySchema } from './kpi-money-schemas';
import { mailSettingsRequestSchema, mailSettingsSchema, unsubscribedSchema, unsubscribeQuerySchema } from './mail-schemas';
import { PORTFOLIO_CSV_COLUMNS } from './portfolio-csv';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: Method;
  /** OpenAPI style: `/api/projects/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Who may call it; undefined = public (no token). */
  roles?: Role[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyRequired?: boolean;
  idempotencyKey?: 'create' | 'action';
  success: { status: number; description: string; schema?: z.ZodType; contentType?: string; headers?: Record<string, string> };
  /** Further successful answers without a body (sign-out: 200 with a body for a provider's session, 204 for any other). */
  alsoSucceeds?: { status: number; description: string }[];
  /** Problem statuses beyond the ones every authenticated route has (401, 403, 429, 503). */
  errors?: number[];
}

const projectId = z.object({ id: z.string().meta({ description: 'Project id, e.g. p-7f3k2m9q4z', example: 'p-7f3k2m9q4z' }) });
const taskId = z.object({ taskId: z.string().meta({ description: 'Task id: `<projectId>.<taskKey>`', example: 'p-7f3k2m9q4z.design-home' }) });

const ACTION = [400, 404, 409, 413, 415];
const status = { status: 200, description: 'The project\u2019s new status snapshot.', schema: projectStatusSchema };
const task = { status: 200, description: 'The task\u2019s new state.', schema: taskResponseSchema };

export const OPERATIONS: Operation[] = [
  // -- health and docs ------------------------------------------------------------------------
  { method: 'get', path: '/healthz', operationId: 'health', tag: 'operations', summary: 'The process is alive', success: { status: 200, description: 'Alive.' } },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    tag: 'operations',
    summary: 'Ready: Temporal answers (and the in-process worker polls)',
    success: { status: 200, description: 'Ready.', schema: readinessSchema },
    errors: [503],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tag: 'operations',
    summary: 'Prometheus metrics',
    success: { status: 200, description: 'Prometheus text format.', contentType: 'text/plain' },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    tag: 'operations',
    summary: 'This document',
    success: { status: 200, description: 'OpenAPI 3.1 document.' },
  },

  // -- session (the portal's sign-in) ---------------------------------------------------------
  {
    method: 'post',
    path: '/api/session',
    operationId: 'signIn',
    tag: 'session',
    summary: 'Sign in to the portal with a token: sets the session cookie',
    description:
      'Sets an httpOnly, SameSite=Strict session cookie and returns a CSRF token: cookie-authenticated requests that change something must send it as `X-CSRF-Token`. API clients keep using `Authorization: Bearer`.',
    body: signInRequestSchema,
    bodyRequired: true,
    success: {
      status: 201,
      description: 'Signed in; `Set-Cookie` carries the session.',
      schema: meSchema,
      headers: { 'Set-Cookie': 'The session cookie (HttpOnly; SameSite=Strict).' },
    },
    errors: [400, 401, 413, 415, 429],
  },
  {
    method: 'delete',
    path: '/api/session',
    operationId: 'signOut',
    tag: 'session',
    summary: 'Sign out: ends the session and clears the cookie (and says how to end the provider\u2019s session)',
    description:
      'A session started with a token: 204 without a body. A session started through single sign-on: 200 with `providerName` and, when the provider\u2019s discovery document has an `end_session_endpoint`, `logoutUrl` \u2014 the browser goes there to end the provider\u2019s session too (OpenID Connect RP-Initiated Logout 1.0), and the provider sends it back to `<PUBLIC_BASE_URL>/login?signedOut=1`, which must be registered with it as a post-logout redirect URI. Without `logoutUrl` the provider\u2019s session may still be open.',
    roles: ['staff', 'manager', 'leadership'],
    success: {
      status: 200,
      description: 'Signed out of a session single sign-on started.',
      schema: signedOutSchema,
      headers: { 'Set-Cookie': 'The session cookie and the sign-out hint cleared.' },
    },
    alsoSucceeds: [{ status: 204, description: 'Signed out of a session a token started (or a bearer caller): nothing more to end.' }],
  },
  {
    method: 'get',
    path: '/api/me',
    operationId: 'me',
    tag: 'session',
    summary: 'Who is signed in (and the session\u2019s CSRF token)',
    roles: ['staff', 'manager', 'leadership'],
    success: { status: 200, description: 'The caller.', schema: meSchema },
  },
  {
    method: 'get',
    path: '/api/me/mail',
    operationId: 'myMail',
    tag: 'mail',
    summary: 'The weekly digests the caller\u2019s role receives, and whether they get them',
    description: 'Leadership: the leadership digest; a manager: the manager digest; staff: none (an empty list). A digest never changed is received.',
    roles: ['staff', 'manager', 'leadership'],
    success: { status: 200, description: 'The caller\u2019s digests.', schema: mailSettingsSchema },
  },
  {
    method: 'put',
    path: '/api/me/mail',
    operationId: 'setMyMail',
    tag: 'mail',
    summary: 'Stop a weekly digest, or get it again',
    description:
      'Only the digests of the caller\u2019s role (another is 400 naming `digests[i].digest`); those not named stay as they are. Idempotent: sending what already stands changes nothing, and who changed it when stays. Every other notice (approvals, work overdue, invoices) is mailed whatever this says.',
    roles: ['staff', 'manager', 'leadership'],
    body: mailSettingsRequestSchema,
    bodyRequired: true,
    success: { status: 200, description: 'The caller\u2019s digests as they now stand.', schema: mailSettingsSchema },
    errors: [400, 413, 415],
  },
  {
    method: 'post',
    path: '/api/mail/unsubscribe',
    operationId: 'unsubscribeFromDigest',
    tag: 'mail',
    summary: 'One-click stop of a weekly digest, by the token of its link (RFC 8058; no sign-in or CSRF token needed)',
    description:
      'The address of a digest\u2019s `List-Unsubscribe` header, which carries `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: a mail client POSTs the form body `List-Unsubscribe=One-Click` (`application/x-www-form-urlencoded`); any body, or none, is accepted. The token names the person and the digest, signed; it stops that digest for that person and does nothing else. Idempotent: a second press answers 200 with `changed: false`. A token that is not one of ours: 400 naming `token`, nothing changed. Rate-limited per address like every anonymous call.',
    query: unsubscribeQuerySchema,
    success: { status: 200, description: 'The digest is stopped.', schema: unsubscribedSchema },
    errors: [400, 429],
  },
  {
    method: 'get',
    path: '/api/mail/unsubscribe',
    operationId: 'unsubscribePage',
    tag: 'mail',
    summary: 'Following a digest\u2019s unsubscribe link changes nothing: 303 to the portal\u2019s page with the "Stop these mails" button',
    description: 'Mail scanners follow every link in a mail, so only a POST stops a digest. The page (`/mail/unsubscribe?token=…`, no sign-in) POSTs this address when the person presses the button.',
    query: unsubscribeQuerySchema,
    success: { status: 303, description: 'To the portal\u2019s page.', headers: { Location: '`/mail/unsubscribe?token=…`' } },
    errors: [400, 429],
  },
  {
    method: 'get',
    path: '/api/session',
    operationId: 'sessionState',
    tag: 'session',
    summary: 'Whether the caller is signed in, and as whom (200 either way)',
    success: { status: 200, description: 'The session state.', schema: sessionStateSchema },
  },
  {
    method: 'get',
    path: '/api/session/oidc',
    operationId: 'singleSignOn',
    tag: 'session',
    summary: 'Sign in with the organisation\u2019s OpenID Connect provider: redirects the browser there',
    description:
      'With OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET set: 303 to the provider\u2019s authorization endpoint (code flow, PKCE S256, a nonce), with a short-lived `agencyflow_oidc` cookie (SameSite=Lax, 10 minutes) that the callback checks. `next`: the portal path to open once signed in. Without single sign-on: 404.',
    query: singleSignOnQuerySchema,
    success: { status: 303, description: 'To the provider.', headers: { Location: 'The provider\u2019s authorization URL.', 'Set-Cookie': 'The waiting sign-in (HttpOnly; SameSite=Lax).' } },
    errors: [404],
  },
  {
    method: 'get',
    path: '/api/session/oidc/callback',
    operationId: 'singleSignOnCallback',
    tag: 'session',
    summary: 'Where the provider sends the browser back: the ID token verified, the session started',
    description:
      'Exchanges the code (client_secret_basic, the PKCE verifier) and verifies the ID token: signature against the provider\u2019s published keys, issuer, audience, expiry, nonce. Its verified `email` must be one person\u2019s of the people directory, whose role and department apply. Then 303 to `/login` (which leads on to `next`) with the session cookie; otherwise 303 to `/login?signInError=<reason>` (and `email` for an unknown person), and no session. The reasons: ' +
      Object.entries(OIDC_FAILURES)
        .map(([reason, meaning]) => `\`${reason}\`: ${meaning}`)
        .join('; ') +
      '. Register `${PUBLIC_BASE_URL}/api/session/oidc/callback` with the provider.',
    success: { status: 303, description: 'To the sign-in page: signed in, or told why not.', headers: { Location: '`/login`, with `signInError` when refused.', 'Set-Cookie': 'The session cookie when signed in; the waiting sign-in cleared either way.' } },
    errors: [404],
  },
  {
    method: 'post',
    path: '/api/session/oidc/backchannel-logout',
    operationId: 'singleSignOnBackChannelLogout',
    tag: 'session',
    summary: 'The provider ends the portal\u2019s sessions it started (OpenID Connect Back-Channel Logout 1.0; no sign-in or CSRF token)',
    description:
      'The provider POSTs `logout_token` (`application/x-www-form-urlencoded`) when one of its sessions ends — the person signed out there, or an administrator ended it. The token is checked as an ID token is (signature against the provider\u2019s published keys, issuer, audience, expiry when it has one) and as a logout token: issued within the last 10 minutes, carrying the event `http://schemas.openid.net/event/backchannel-logout`, naming `sub`, `sid` or both, and no `nonce`. The portal\u2019s sessions single sign-on started for that subject (only those in that provider session when `sid` is named) end: every API process refuses them at their next change, and at their next read within 5 s. 200 also when none was open. A token that fails a check: 400 naming `logout_token`, nothing ended. The provider\u2019s keys unreadable: 503 with Retry-After. Without single sign-on: 404. Register `${PUBLIC_BASE_URL}/api/session/oidc/backchannel-logout` with the provider as the client\u2019s back-channel logout URI. Sessions started before this existed (2026-12-07) are not known to the provider\u2019s subject and end only as before.',
    success: { status: 200, description: 'The sessions of that subject or provider session have ended (none may have been open).' },
    errors: [400, 404, 429, 503],
  },
  {
    method: 'get',
    path: '/api/session/demo',
    operationId: 'demoSignIns',
    tag: 'session',
    summary: 'The demo people the sign-in page offers (empty for a production directory)',
    success: { status: 200, description: 'Demo people and their tokens.', schema: demoSignInsSchema },
  },
  {
    method: 'get',
    path: '/api/people',
    operationId: 'listPeople',
    tag: 'session',
    summary: 'People of the directory: names, roles, departments (e.g. the staff to reassign a task to)',
    roles: ['staff', 'manager', 'leadership'],
    query: peopleQuerySchema,
    success: { status: 200, description: 'The people.', schema: peopleListSchema },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/people/former',
    operationId: 'listFormerPeople',
    tag: 'session',
    summary: 'People who left, by name (the people file\u2019s formerPeople): work, histories and documents that name them still say who',
    roles: ['staff', 'manager', 'leadership'],
    success: { status: 200, description: 'The people who left, in the file\u2019s order.', schema: formerPeopleListSchema },
    errors: [],
  },

  {
    method: 'get',
    path: '/api/clients',
    operationId: 'listClients',
    tag: 'projects',
    summary: 'The agency\u2019s clients, most recently active first (the new-project form\u2019s suggestions)',
    roles: ['manager', 'leadership'],
    query: clientListQuerySchema,
    success: { status: 200, description: 'The clients, each as on its newest project.', schema: clientListSchema },
    errors: [400],
  },

  // -- projects -------------------------------------------------------------------------------
  {
    method: 'post',
    path: '/api/projects',
    operationId: 'createProject',
    tag: 'projects',
    summary: 'Open a project from a client\u2019s request',
    description:
      'Starts the project workflow and answers with the snapshot it starts from. With an `Idempotency-Key`, the same key and body always give the same project (201 the first time, 200 after); the same key with another body is 422.',
    roles: ['manager'],
    body: projectRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'create',
    success: { status: 201, description: 'Created; `Location` names the project.', schema: projectStatusSchema, headers: { Location: 'The project\u2019s URL.' } },
    errors: [400, 413, 415, 422],
  },
  {
    method: 'get',
    path: '/api/projects',
    operationId: 'listProjects',
    tag: 'projects',
    summary: 'List projects (managers: their own; leadership: all)',
    roles: ['manager', 'leadership'],
    query: projectListQuerySchema,
    success: {
      status: 200,
      description: 'One page of projects, newest intake first, from the reporting store (it follows the workflows within about a second).',
      schema: projectListSchema,
    },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/projects.csv',
    operationId: 'listProjectsCsv',
    tag: 'projects',
    summary: 'The portfolio as a CSV file for spreadsheets (managers: their own projects; leadership: all)',
    description:
      'Every project GET /api/projects finds with the same filters, refused alike, in one file (no pages), newest intake first; `finished=hidden` leaves out what the portal\u2019s Portfolio hides until asked. RFC 4180 CSV (UTF-8 with a byte-order mark, CRLF), one row per project, the columns named as the project list\u2019s fields: `' +
      PORTFOLIO_CSV_COLUMNS.join(', ') +
      '` \u2014 `managerName` from the people directory, `portalUrl` the project\u2019s page in the portal (PUBLIC_BASE_URL). Dates are ISO 8601 timestamps, amounts numbers in `currency`; text a spreadsheet would run as a formula (starting with =, +, -, @) starts with an apostrophe. Sent as an attachment, `portfolio-<date>.csv`.',
    roles: ['manager', 'leadership'],
    query: portfolioCsvQuerySchema,
    success: { status: 200, description: 'The CSV file (Content-Disposition: attachment).', contentType: 'text/csv' },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/projects/{id}',
    operationId: 'getProject',
    tag: 'projects',
    summary: 'A project\u2019s status snapshot',
    roles: ['manager', 'leadership'],
    params: projectId,
    success: {
      status: 200,
      description:
        'The status snapshot, live from the workflow. When the workflow does not answer within 40 ms of the request (a busy or absent worker) or is gone (past Temporal\u2019s retention), the copy it last published to the reporting store, with `X-Snapshot-Published-At`; a project just created, as it started.',
      schema: projectStatusSchema,
      headers: { 'X-Snapshot-Published-At': 'Set only when the stored copy is served: when the workflow published it.' },
    },
    errors: [404],
  },
  {
    method: 'put',
    path: '/api/projects/{id}/plan',
    operationId: 'submitPlan',
    tag: 'projects',
    summary: 'Submit or revise the plan (the project\u2019s manager)',
    roles: ['manager'],
    params: projectId,
    body: planSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/plan/decision',
    operationId: 'decidePlan',
    tag: 'projects',
    summary: 'Approve or reject the plan awaiting a decision',
    roles: ['leadership'],
    params: projectId,
    body: planDecisionRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/feedback',
    operationId: 'recordFeedback',
    tag: 'projects',
    summary: 'Record the client\u2019s response: accepted, revisions requested, or a complaint',
    description:
      'Acceptance and revisions while the client reviews, by the project\u2019s manager. A complaint while the work is done, reviewed or paid for, by the manager or by leadership (a client who goes over the manager\u2019s head); on a completed project within its complaint window (`complaintsHeardUntil`) too, and after it: a complaint about a completed project whose workflow has ended runs that workflow again for it (the answer is the project with the complaint, marked `afterWindow`), followed up and resolved as any, the run ending once it is settled. The same complaint sent again with its Idempotency-Key, or by the same person in the same words once that run has ended, is recorded once. A cancelled project that has ended takes none (409).',
    roles: ['manager', 'leadership'],
    params: projectId,
    body: feedbackRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/complaints/{complaintId}/resolution',
    operationId: 'resolveComplaint',
    tag: 'projects',
    summary: 'Resolve a client\u2019s complaint',
    roles: ['manager', 'leadership'],
    params: projectId.extend({ complaintId: z.string() }),
    body: complaintResolutionRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/change-requests',
    operationId: 'recordChangeRequest',
    tag: 'projects',
    summary: 'Record changes the client asked for by mail or phone',
    description:
      'The client asked for changes outside their page (a mail, a call): recorded here, the request waits for the manager’s answer as one asked on the page does (`changeRequests`, with `recordedBy`), and the review period is paused meanwhile, so the client is not deemed to accept while the agency works out its answer. The manager then records a round of changes (feedback `revisions_requested`) or answers without one (`…/decline`). One request at a time; while the work is with the client; by the project’s manager. Nobody is mailed: the manager already knows, and the client’s page shows it.',
    roles: ['manager'],
    params: projectId,
    body: changeRequestRecordSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/change-requests/{requestId}/decline',
    operationId: 'declineChangeRequest',
    tag: 'projects',
    summary: 'Answer the client\u2019s request for changes without a round of changes',
    description:
      'The client asked for changes on their page (`changeRequests`, ids `r1`, `r2`, \u2026); while the request waits, the review period is paused. A round of changes is recorded as feedback (`revisions_requested`), which answers the request too; this answers it without one, saying why: the client is mailed the reply and their page shows it, and the review period runs on from where it stopped. While the work is with the client; by the project\u2019s manager.',
    roles: ['manager'],
    params: projectId.extend({ requestId: z.string() }),
    body: changeRequestDeclineSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/complaints/{complaintId}/rework',
    operationId: 'reworkComplaint',
    tag: 'projects',
    summary: 'Send work back to departments for a complaint made after completion',
    description:
      'A flaw found after the client paid in full (within the project\u2019s complaint window): the departments named redo their work free of charge, as tasks of the completed project (keys `<complaintId>.<department>`, in `tasks`; the complaint\u2019s `rework` says what was asked). Each department must have done work in the project. Once per complaint; the complaint is resolved once the fix is accepted. By the project\u2019s manager.',
    roles: ['manager'],
    params: projectId.extend({ complaintId: z.string() }),
    body: complaintReworkRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/payments',
    operationId: 'recordPayment',
    tag: 'projects',
    summary: 'Record a payment against an invoice',
    roles: ['manager', 'leadership'],
    params: projectId,
    body: paymentRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/start-work',
    operationId: 'startWorkBeforePrepayment',
    tag: 'projects',
    summary: 'Start the work that waits for the prepayment now, before it is paid (the prepayment stays owed and chased)',
    roles: ['manager', 'leadership'],
    params: projectId,
    body: startWorkRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/payment-reversals',
    operationId: 'reversePayment',
    tag: 'projects',
    summary: 'Take back a recorded payment (entered by mistake, or returned by the bank): its invoice is owed again',
    roles: ['manager', 'leadership'],
    params: projectId,
    body: paymentReversalRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/write-offs',
    operationId: 'writeOffInvoice',
    tag: 'projects',
    summary:
      'Write off what the client still owes on an invoice (leadership): it asks nothing more and is no longer chased; what was paid stands. Once the project is invoiced or cancelled; the manager is mailed, the client is not',
    roles: ['leadership'],
    params: projectId,
    body: writeOffRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/cancel',
    operationId: 'cancelProject',
    tag: 'projects',
    summary: 'Cancel the project (its manager or leadership)',
    roles: ['manager', 'leadership'],
    params: projectId,
    body: cancelRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/projects/{id}/handover',
    operationId: 'handOverProject',
    tag: 'projects',
    summary: 'Hand the project to another manager (its manager or leadership): its tasks, reviews and chasing go with it',
    roles: ['manager', 'leadership'],
    params: projectId,
    body: handOverRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: status,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/managers/{id}/handover',
    operationId: 'handOverManagersProjects',
    tag: 'projects',
    summary: 'Hand every running project of a manager (or the ones named) to another manager at once: leadership for anyone, a manager for their own',
    description:
      'Each project is handed over as by its own handover (its client is told; its tasks follow); both managers get one mail listing every project ' +
      'that moved and every one that stayed, sent after the answer. The answer says, ' +
      'project by project, whether it was handed over or refused (ended meanwhile, or no longer that manager\u2019s). The same Idempotency-Key ' +
      'again answers with the first handover\u2019s outcome. The manager handing over need not be in the people directory any more.',
    roles: ['manager', 'leadership'],
    params: z.object({ id: z.string().meta({ description: 'The manager handing over, e.g. anna', example: 'anna' }) }),
    body: managerHandoverRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: { status: 200, description: 'What happened to each project.', schema: managerHandoverResultSchema },
    errors: [400, 413, 415, 422],
  },

  // -- documents ------------------------------------------------------------------------------
  {
    method: 'get',
    path: '/api/projects/{id}/documents',
    operationId: 'listProjectDocuments',
    tag: 'documents',
    summary: 'The project\u2019s documents: contracts, invoices, acts, final report',
    roles: ['manager', 'leadership'],
    params: projectId,
    success: { status: 200, description: 'The documents.', schema: documentListSchema },
    errors: [404],
  },
  {
    method: 'get',
    path: '/api/documents/{documentId}',
    operationId: 'getDocument',
    tag: 'documents',
    summary: 'Download a document (PDF) with its SHA-256 digest',
    roles: ['manager', 'leadership'],
    params: z.object({ documentId: z.string() }),
    success: {
      status: 200,
      description: 'The PDF.',
      contentType: 'application/pdf',
      headers: { 'Repr-Digest': 'sha-256=:<base64>: of the body (RFC 9530)', Digest: 'sha-256=<base64> (legacy RFC 3230 form)' },
    },
    errors: [404],
  },

  // -- the client's link -----------------------------------------------------------------------
  {
    method: 'get',
    path: '/api/projects/{id}/client-link',
    operationId: 'getClientLink',
    tag: 'client',
    summary: 'The link to send the client: their project, invoices and documents, without an account (its manager or leadership)',
    roles: ['manager', 'leadership'],
    params: projectId,
    success: { status: 200, description: 'The link.', schema: clientLinkSchema },
    errors: [404],
  },
  {
    method: 'post',
    path: '/api/projects/{id}/client-link',
    operationId: 'renewClientLink',
    tag: 'client',
    summary: 'A new link for the client, when the old one reached someone it should not: the old link stops opening at once and mails to the client carry the new one (its manager or leadership). Retried with the same Idempotency-Key, the same link answers; 409 (nothing changed) when someone renewed the link since `replaces` was read',
    roles: ['manager', 'leadership'],
    params: projectId,
    body: clientLinkRenewalSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: { status: 200, description: 'The new link.', schema: clientLinkSchema },
    errors: [400, 404, 409, 413, 415, 422],
  },
  {
    method: 'get',
    path: '/api/client/projects/{id}',
    operationId: 'getClientProject',
    tag: 'client',
    summary: 'The project as its client sees it, opened by the key of their link (no token): a wrong key is 404',
    params: projectId,
    query: clientKeyQuerySchema,
    success: { status: 200, description: 'What the client sees.', schema: clientProjectViewSchema },
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/api/client/projects/{id}/answers',
    operationId: 'answerAsClient',
    tag: 'client',
    summary:
      'The client answers on their page, by the key of their link: they accept the delivered work (with a rating of 1 to 5), ask for changes, or make a complaint, giving their name. The project records an acceptance or a complaint as it would the manager\u2019s recording; changes asked for wait for the manager (`changeRequests`), who records a round or answers without one, and the review period is paused meanwhile. 409 when it is not heard now (`mayAnswer` says when it is), or while an earlier request for changes still waits. The manager is mailed. Retried with the same Idempotency-Key, it is recorded once',
    params: projectId,
    query: clientKeyQuerySchema,
    body: clientAnswerSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: { status: 200, description: 'The page as it stands with the answer.', schema: clientProjectViewSchema },
    errors: [400, 404, 409, 413, 415, 422, 503],
  },
  {
    method: 'get',
    path: '/api/client/projects/{id}/documents/{documentId}',
    operationId: 'getClientDocument',
    tag: 'client',
    summary: 'A document of the project meant for the client (contract, invoices, credit notes, acts), by the key of their link',
    params: z.object({ id: z.string(), documentId: z.string() }),
    query: clientKeyQuerySchema,
    success: { status: 200, description: 'The PDF.', contentType: 'application/pdf', headers: { 'Repr-Digest': 'sha-256=:<base64>: of the body (RFC 9530)' } },
    errors: [400, 404],
  },

  // -- tasks ----------------------------------------------------------------------------------
  {
    method: 'get',
    path: '/api/tasks',
    operationId: 'listTasks',
    tag: 'tasks',
    summary: 'Task inbox: staff their department\u2019s, managers their projects\u2019, leadership all',
    roles: ['staff', 'manager', 'leadership'],
    query: taskListQuerySchema,
    success: {
      status: 200,
      description: 'One page of tasks, earliest due first, from the reporting store (it follows the workflows within about a second).',
      schema: taskListSchema,
    },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/tasks/planned',
    operationId: 'listPlannedTasks',
    tag: 'tasks',
    summary: 'Planned work not started yet: the tasks of projects waiting for their prepayment, scoped as the inbox is',
    roles: ['staff', 'manager', 'leadership'],
    query: plannedTaskQuerySchema,
    success: {
      status: 200,
      description:
        'Each task of the approved plan of a project that starts its work once the prepayment is paid and waits for that payment, with the prepayment invoice, earliest due first. None has a task workflow yet (nothing to open or claim); once the prepayment is paid the started tasks are in `GET /api/tasks` instead, and a cancelled project\u2019s are gone. From the reporting store (it follows the workflows within about a second).',
      schema: plannedTaskListSchema,
    },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/tasks/{taskId}',
    operationId: 'getTask',
    tag: 'tasks',
    summary: 'A task',
    roles: ['staff', 'manager', 'leadership'],
    params: taskId,
    success: {
      status: 200,
      description:
        'The task, live from its workflow; its stored copy (with `X-Snapshot-Published-At`) when the workflow does not answer within 40 ms of the request or is gone; a task just started, as it began (from its project\u2019s copy). A task of the approved plan that its project has not started yet is a 404 with `Retry-After` (while Temporal is slow to confirm a start, as the project\u2019s stored copy says), told only to those who may see the task (others: 403).',
      schema: taskResponseSchema,
      headers: { 'X-Snapshot-Published-At': 'Set only when the stored copy is served: when the workflow published it.' },
    },
    errors: [404],
  },
  {
    method: 'get',
    path: '/api/tasks/{taskId}/context',
    operationId: 'getTaskContext',
    tag: 'tasks',
    summary: 'What a task builds on: the client\u2019s request and the accepted work it waits for',
    roles: ['staff', 'manager', 'leadership'],
    params: taskId,
    success: {
      status: 200,
      description:
        'The client\u2019s brief and date, and the accepted delivery (summary and links) of each task this one waits for — or, for a revision task, of its department\u2019s accepted work — for whoever may see the task, though staff may not open another department\u2019s task. From the reporting store.',
      schema: taskContextSchema,
    },
    errors: [404],
  },
  {
    method: 'post',
    path: '/api/tasks/{taskId}/claim',
    operationId: 'claimTask',
    tag: 'tasks',
    summary: 'Take an open task of your department',
    roles: ['staff'],
    params: taskId,
    body: emptyBodySchema,
    idempotencyKey: 'action',
    success: task,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/tasks/{taskId}/release',
    operationId: 'releaseTask',
    tag: 'tasks',
    summary: 'Give a claimed task back to the department\u2019s queue',
    roles: ['staff'],
    params: taskId,
    body: emptyBodySchema,
    idempotencyKey: 'action',
    success: task,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/tasks/{taskId}/submit',
    operationId: 'submitTask',
    tag: 'tasks',
    summary: 'Deliver the work for review',
    roles: ['staff'],
    params: taskId,
    body: deliverableRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: task,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/tasks/{taskId}/review',
    operationId: 'reviewTask',
    tag: 'tasks',
    summary: 'Accept the delivered work or send it back (the project\u2019s manager)',
    roles: ['manager'],
    params: taskId,
    body: reviewRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: task,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/tasks/{taskId}/reassign',
    operationId: 'reassignTask',
    tag: 'tasks',
    summary: 'Give the task to another person of its department (the project\u2019s manager, or leadership)',
    roles: ['manager', 'leadership'],
    params: taskId,
    body: reassignRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: task,
    errors: ACTION,
  },
  {
    method: 'post',
    path: '/api/people/{personId}/reassign-work',
    operationId: 'reassignPersonsWork',
    tag: 'tasks',
    summary: 'Give every task in work of one person, in the caller\u2019s projects (leadership: in every project), to someone else of the department at once (someone who left, or is away)',
    description:
      'A workflow of its own moves each task through its own reassign, as from its page, and then mails the new holder once for all of them (and the one they were taken from, if still in the directory). ' +
      'The answer says task by task whether it moved or stayed, and why (delivered meanwhile, another department). ' +
      'The same Idempotency-Key again reads the first answer (a request whose API died half-way is finished all the same); the same key for another request is refused (422); a new request finds only what is still theirs. ' +
      'A run not done within a minute goes on: 503 with Retry-After, and the same key reads its answer. The person need not be in the people directory any more.',
    roles: ['manager', 'leadership'],
    params: z.object({ personId: z.string().meta({ description: 'Whose tasks in work move, e.g. dima.design', example: 'dima.design' }) }),
    body: reassignAllRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: { status: 200, description: 'What happened to each task.', schema: reassignAllResultSchema },
    errors: [400, 413, 415, 422, 503],
  },
  {
    method: 'patch',
    path: '/api/tasks/{taskId}',
    operationId: 'moveTaskDueDate',
    tag: 'tasks',
    summary: 'Move the task\u2019s due date, with a reason (the project\u2019s manager)',
    roles: ['manager'],
    params: taskId,
    body: moveDueDateRequestSchema,
    bodyRequired: true,
    idempotencyKey: 'action',
    success: task,
    errors: ACTION,
  },

  // -- reports --------------------------------------------------------------------------------
  {
    method: 'get',
    path: '/api/reports/portfolio',
    operationId: 'portfolioReport',
    tag: 'reports',
    summary: 'Portfolio: projects per stage, late work, waiting plans, complaints, unpaid invoices',
    roles: ['manager', 'leadership'],
    description:
      'From the reporting store (the snapshots the workflows publish), at read time: projects per stage; running projects with work not yet delivered (open or claimed) past its due date; such tasks per department; plans waiting for leadership, longest first; running projects with an open complaint; running projects with an unpaid invoice past its due date. Lists show at most 50; counts are exact.',
    query: portfolioQuerySchema,
    success: { status: 200, description: 'The report (managers: their own projects).', schema: portfolioReportSchema },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/reports/kpis',
    operationId: 'kpiReport',
    tag: 'reports',
    summary: 'KPIs over a period: response time, delivery, quality, money, clients, sales plan, workload, weekly series',
    description:
      'Leadership\u2019s questions, answered from the reporting store, which keeps every project also after Temporal\u2019s retention has deleted its workflow. A fact counts in the period [from, to) by when it happened (plan sent, work delivered, invoice issued, client paid). Each figure\u2019s definition is in the response schema. `asOf` says how fresh the store is. Managers get their own projects only.',
    roles: ['manager', 'leadership'],
    query: kpiQuerySchema,
    success: { status: 200, description: 'The KPI report.', schema: kpiReportSchema },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/reports/kpis.csv',
    operationId: 'kpiReportCsv',
    tag: 'reports',
    summary: 'The same KPIs as a CSV file for spreadsheets',
    description:
      'RFC 4180 CSV (UTF-8 with a byte-order mark, CRLF), one figure per row: `section` (the figure\u2019s place in the JSON report, e.g. `money.byManager`), `figure` (e.g. `paid`), the dimension columns `managerId, segment, department, personId, clientId, clientName, invoiceNumber, period, weekStart, currency`, and `value`. Same filters and the same numbers as GET /api/reports/kpis; sent as an attachment.',
    roles: ['manager', 'leadership'],
    query: kpiQuerySchema,
    success: { status: 200, description: 'The CSV file (Content-Disposition: attachment).', contentType: 'text/csv' },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/reports/kpis/deliveries',
    operationId: 'kpiDeliveries',
    tag: 'reports',
    summary: 'The tasks behind the KPI report\u2019s delivery figures: which were late, and by how much',
    description:
      'Each task first delivered in the period, against its original due date, counted as GET /api/reports/kpis counts `delivery` and the weekly series: asked with the same query, plus `late` and `week`, the list has as many tasks (`total`) as the figure it explains \u2014 the period\u2019s, a department\u2019s, a week\u2019s. Most late first; at most 200 items, `total` counts them all. Managers get their own projects only.',
    roles: ['manager', 'leadership'],
    query: kpiDeliveryQuerySchema,
    success: { status: 200, description: 'The deliveries (managers: their own projects\u2019).', schema: kpiDeliveryListSchema },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/reports/kpis/workload',
    operationId: 'kpiWorkload',
    tag: 'reports',
    summary: 'The tasks behind the KPI report\u2019s workload figures: who has what in hand now',
    description:
      'Each task open or claimed now, counted as GET /api/reports/kpis counts `workload`: asked with the report\u2019s manager, segment and department, plus `assignee` and `state`, the list has as many tasks (`total`) and hours (`totalHours`) as the figure it explains \u2014 the totals, a department\u2019s open or in-work hours, a person\u2019s hours in work. Workload is measured now, so there is no period. Most urgent first (overdue, then due soonest); at most 200 items, the totals count them all. Managers get their own projects only.',
    roles: ['manager', 'leadership'],
    query: kpiWorkloadQuerySchema,
    success: { status: 200, description: 'The work in hand (managers: on their own projects).', schema: kpiWorkloadListSchema },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/reports/kpis/responses',
    operationId: 'kpiResponses',
    tag: 'reports',
    summary: 'The client requests behind the KPI report\u2019s response-time figures: how long each waited for its first plan',
    description:
      'Each client request with when it came in and when its first plan went out, counted as GET /api/reports/kpis counts `responseTime` and the weekly series: asked with the same query, plus `answered`, `week` and `managerId`, the list has as many requests (`total`) as the figure it explains \u2014 first plans sent (`answered=true`: the period\u2019s, a manager\u2019s, a week\u2019s `plansSent`), requests still waiting for one (`answered=false`: `awaitingFirstPlan`), requests received (without `answered`: a week\u2019s `projectsOpened`) \u2014 and, with `answered=true`, the same median (`medianResponseHours`). Slowest first (without a plan, the longest wait so far); at most 200 items, `total` and the median count them all. Managers get their own projects only.',
    roles: ['manager', 'leadership'],
    query: kpiResponseQuerySchema,
    success: { status: 200, description: 'The requests (managers: their own projects\u2019).', schema: kpiResponseListSchema },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/reports/kpis/feedback',
    operationId: 'kpiFeedback',
    tag: 'reports',
    summary: 'The ratings and complaints behind the KPI report\u2019s client figures: which projects, and what the clients said',
    description:
      'Each rating given, or each complaint, counted as GET /api/reports/kpis counts `clients`: asked with the same query, plus `rating` or `complaints`, the list has as many (`total`) as the figure it explains \u2014 the ratings given (`ratings.count`, `listed: ratings`), one bar of their `distribution` (`rating`), complaints `filed`, still `open` or `resolved` (`complaints`, `listed: complaints`); a manager\u2019s with `managerId`. Each row names the project, the client and the manager, with the client\u2019s comment or complaint. Lowest ratings first, with the same average (`averageRating`); open complaints first, the oldest first. At most 200 items, `total` counts them all. Managers get their own projects only.',
    roles: ['manager', 'leadership'],
    query: kpiFeedbackQuerySchema,
    success: { status: 200, description: 'The ratings or complaints (managers: their own projects\u2019).', schema: kpiFeedbackListSchema },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/reports/kpis/money',
    operationId: 'kpiMoney',
    tag: 'reports',
    summary: 'The invoices and payments behind the KPI report\u2019s money figures and its sales plan: how much was invoiced and collected, and from whom',
    description:
      'Each money fact counted as GET /api/reports/kpis counts `money` and the weekly series: asked with the same query, plus `flow` (required), `week`, `managerId`, `currency` and `clientId`, the list\u2019s `totals` per currency equal the figures it explains \u2014 with `flow=invoiced` the invoices issued, voids and credit notes (`invoiced`, `voided`, `credited`, `netInvoiced`), with `flow=paid` the payments received and refunds paid out (`paid`, `refunded`, `netPaid`): the period\u2019s, a week\u2019s, a manager\u2019s; a client\u2019s `netInvoiced` is their `clients.spend.byClient[].spend`, and `scope.clientName` names them. With `salesPlan=true` and a target\u2019s manager, period and currency, `netPaid` is the sales plan\u2019s `paid` (each payment credited to the manager recorded with it). Each row names the invoice or credit note, the project, the client and the manager; an invoice its due date and what is still owed on it now. The newest first; at most 200 items, `total` and `totals` count them all. Managers get their own projects only.',
    roles: ['manager', 'leadership'],
    query: kpiMoneyQuerySchema,
    success: { status: 200, description: 'The invoices or payments (managers: their own projects\u2019).', schema: kpiMoneyListSchema },
    errors: [400],
  },
  {
    method: 'get',
    path: '/api/reports/sales-targets',
    operationId: 'listSalesTargets',
    tag: 'reports',
    summary: 'Sales targets per manager and period',
    description: 'Each target with what it has brought in so far (`paid`, `fulfilment`), counted as the KPI report\u2019s `salesPlan` counts it.',
    roles: ['manager', 'leadership'],
    query: salesTargetListQuerySchema,
    success: { status: 200, description: 'The targets (managers: their own).', schema: salesTargetListSchema },
    errors: [400],
  },
  {
    method: 'put',
    path: '/api/reports/sales-targets/{managerId}/{period}',
    operationId: 'setSalesTarget',
    tag: 'reports',
    summary: 'Set a manager\u2019s sales target for a period (leadership)',
    description:
      'Idempotent: the target for a manager and period is one value, and sending the same body again changes nothing. The answer is the target with its fulfilment so far (`paid`, `fulfilment`), as the KPI report\u2019s `salesPlan` gives it.',
    roles: ['leadership'],
    params: salesTargetParamsSchema,
    body: salesTargetRequestSchema,
    bodyRequired: true,
    success: { status: 200, description: 'The target, replaced or unchanged (201 when it is new).', schema: salesTargetSchema },
    errors: [400, 404, 413, 415],
  },
  {
    method: 'delete',
    path: '/api/reports/sales-targets/{managerId}/{period}',
    operationId: 'deleteSalesTarget',
    tag: 'reports',
    summary: 'Remove a manager\u2019s sales target for a period (leadership)',
    description: 'For a target set by mistake. 204 whether or not there was one, so a retry answers the same.',
    roles: ['leadership'],
    params: salesTargetParamsSchema,
    success: { status: 204, description: 'There is no target for that manager and period (any more).' },
    errors: [400, 404],
  },
];

/**
 * Request bodies as named components. `.meta({ id })` registers the id in zod's global registry,
 * once per process, so it happens here at module level and never per document.
 */
const NAMED_BODIES = new Map<z.ZodType, z.ZodType>([
  [projectRequestSchema, projectRequestSchema.meta({ id: 'ProjectRequest' })],
  [planSchema, planSchema.meta({ id: 'Plan' })],
  [planDecisionRequestSchema, planDecisionRequestSchema.meta({ id: 'PlanDecision' })],
  [feedbackRequestSchema, feedbackRequestSchema.meta({ id: 'Feedback' })],
  [complaintResolutionRequestSchema, complaintResolutionRequestSchema.meta({ id: 'ComplaintResolution' })],
  [changeRequestDeclineSchema, changeRequestDeclineSchema.meta({ id: 'ChangeRequestDecline' })],
  [changeRequestRecordSchema, changeRequestRecordSchema.meta({ id: 'ChangeRequestRecord' })],
  [complaintReworkRequestSchema, complaintReworkRequestSchema.meta({ id: 'ComplaintRework' })],
  [paymentRequestSchema, paymentRequestSchema.meta({ id: 'Payment' })],
  [cancelRequestSchema, cancelRequestSchema.meta({ id: 'Cancellation' })],
  [deliverableRequestSchema, deliverableRequestSchema.meta({ id: 'Deliverable' })],
  [reviewRequestSchema, reviewRequestSchema.meta({ id: 'Review' })],
  [reassignRequestSchema, reassignRequestSchema.meta({ id: 'Reassignment' })],
  [moveDueDateRequestSchema, moveDueDateRequestSchema.meta({ id: 'DueDateChange' })],
  [signInRequestSchema, signInRequestSchema.meta({ id: 'SignIn' })],
  [salesTargetRequestSchema, salesTargetRequestSchema.meta({ id: 'SalesTargetRequest' })],
]);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `errors` names each bad field (text anywhere in a body must not contain control characters; tabs and line breaks are fine).',
  401: 'No or unknown bearer token.',
  403: 'Your role, department or project does not allow this.',
  404: 'No such object; for a task of an approved plan that has not started yet, or is starting this moment, with `Retry-After` (nothing was changed).',
  409: 'Not possible in the current state (wrong stage, stale plan version, already done, already claimed, overpayment, a payment reference already used, possibly the same payment again).',
  413: 'Body larger than the configured limit.',
  415: 'Body not application/json.',
  422: 'Idempotency-Key reused with a different body.',
  429: 'Too many requests for this token; see Retry-After.',
  503: 'Temporal or the reporting store is unreachable (or not ready); see Retry-After.',
};

/** Express path (`/api/projects/:id`) for an OpenAPI path (`/api/projects/{id}`). */
export const expressPath = (openApiPath: string): string => openApiPath.replace(/\{([^}]+)\}/g, ':$1');

export function buildOpenApiDocument(options: { serverUrl?: string; version?: string } = {}): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A token from the people directory (see the README\u2019s demo tokens).',
  });
  const problemContent = { 'application/problem+json': { schema: problemSchema } };

  for (const op of OPERATIONS) {
    const errorStatuses = new Set<number>(op.errors ?? []);
    if (op.roles) [401, 403, 429, 503].forEach((s) => errorStatuses.add(s));
    if (op.idempotencyKey) errorStatuses.add(422);
    const responses: Record<string, unknown> = {
      [op.success.status]: {
        description: op.success.description,
        ...(op.success.headers && {
          headers: Object.fromEntries(Object.entries(op.success.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])),
        }),
        ...(op.success.schema
          ? { content: { [op.success.contentType ?? 'application/json']: { schema: op.success.schema } } }
          : op.success.contentType
            ? { content: { [op.success.contentType]: { schema: { type: 'string', ...(op.success.contentType === 'application/pdf' && { format: 'binary' }) } } } }
            : {}),
      },
    };
    for (const other of op.alsoSucceeds ?? []) responses[String(other.status)] = { description: other.description };
    if (op.idempotencyKey === 'create') {
      responses['200'] = { description: 'The project this Idempotency-Key created earlier.', content: { 'application/json': { schema: projectStatusSchema } } };
      responses['202'] = { description: 'Started; the status is not readable yet (follow `Location`).' };
    }
    for (const code of [...errorStatuses].sort()) {
      responses[String(code)] = { description: ERROR_DESCRIPTIONS[code] ?? 'Error.', content: problemContent };
    }
    const headers = op.idempotencyKey
      ? z.object({
          'Idempotency-Key': z
            .string()
            .optional()
            .meta({
              description:
                op.idempotencyKey === 'create'
                  ? 'Retry-safe creation: the same key and body give the same project.'
                  : 'Retry-safe action: the same key and body apply the action once (a retry answers as the first time); the same key with another body is 422.',
            }),
        })
      : undefined;
    registry.registerPath({
      method: op.method,
      path: op.path,
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description && { description: op.description }),
      tags: [op.tag],
      ...(op.roles ? { security: [{ bearerAuth: [] }], 'x-roles': op.roles } : { security: [] }),
      request: {
        ...(op.params && { params: op.params }),
        ...(op.query && { query: op.query }),
        ...(headers && { headers }),
        ...(op.body && {
          body: {
            required: op.bodyRequired ?? false,
            content: { 'application/json': { schema: NAMED_BODIES.get(op.body) ?? op.body } },
          },
        }),
      },
      responses: responses as never,
    });
  }

  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'agencyflow API',
      version: options.version ?? '0.1.0',
      description:
        'An agency\u2019s request-to-report cycle: managers open projects and drive plans, staff work department tasks, leadership approves plans and watches the portfolio. Every error is `application/problem+json` (RFC 9457).',
    },
    ...(options.serverUrl && { servers: [{ url: options.serverUrl }] }),
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'projects', description: 'Client projects, their plans, feedback, payments' },
      { name: 'tasks', description: 'Department work' },
      { name: 'documents', description: 'Contracts, invoices, acts, reports (PDF)' },
      { name: 'reports', description: 'Portfolio, KPIs and the sales plan for leadership and managers, from the reporting store' },
      { name: 'client', description: 'The client\u2019s link to their project: what they see, without an account' },
      { name: 'session', description: 'Signing in to the portal, who is signed in, the people directory' },
      { name: 'mail', description: 'The weekly digests a person may stop: from the mail in one click, or signed in' },
      { name: 'operations', description: 'Health, readiness, metrics, this document' },
    ],
  }) as unknown as Record<string, unknown>;
}
