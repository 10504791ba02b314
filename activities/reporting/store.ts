/**
 * The reporting store: a read model fed from the workflows' snapshots, which outlives Temporal's
 * retention. Temporal stays the source of truth for running work; this store answers lists,
 * single reads for the API, the portfolio report and leadership's KPIs with SQL.
 *
 * Writes: `publish` keeps the newest snapshot per project / task (an older or repeated `seq`
 * changes nothing) and inserts the facts derived from it by their stable ids, all in ONE statement
 * (one round trip, one implicit transaction): it runs inside a workflow task as a local activity.
 *
 * Every table is qualified with this store's schema (default `reporting`), so tests can give each
 * store its own schema on one shared server, and a production database can host other schemas.
 */
import { DatabaseDocumentStore } from '../documents/database-store';
import type { DocumentStore } from '../documents/store';
import { createHash } from 'node:crypto';
import type { Logger } from '../../common/logger';
import { retryWithBackoff } from '../../common/temporal';
import type { SnapshotRecord } from '../contract';
import { sentLogEntryName, type SentLog } from '../mail/sent-log';
import type { DigestKind, MailPreference } from '../mail/digest-mail';
import type { ProjectStatus } from '../../workflows/project/contract';
import { taskId as taskIdOf, type TaskView } from '../../workflows/task/contract';
import { waitingForPrepayment, type PrepaymentWaitFacts } from '../../workflows/project/state';
import type { Segment } from '../../workflows/shared-schemas';
import type {
  ClientListItem,
  KpiDeliveryList,
  KpiReport,
  PlannedTaskItem,
  PortfolioSet,
  ProjectListItem,
  SalesTarget,
  TaskListItem,
} from '../../api/schemas';
import { amountOwed, endsAfterClientDate, OVERPAYMENT_CREDIT_NOTE, projectFacts, projectRow, taskFacts, taskRow, type Fact, type InvoiceLike } from './facts';
import { deliveryList, type DeliveryListQuery } from './deliveries';
import type { KpiResponseList } from '../../api/kpi-response-schemas';
import { responseList, type ResponseListQuery } from './responses';
import { FLOW_KINDS, FLOW_SUMS, kpiReport, moneyFlows, salesTargets, type FlowSums, type KpiQuery, type SalesTargetFilter } from './kpis';
import { complaintList, ratingList, type ComplaintListQuery, type RatingListQuery } from './feedback';
import { moneyList, type MoneyListQuery } from './money';
import { overloadedPeople, workHolders, workloadList, type OverloadedPerson, type WorkHolders, type WorkloadListQuery } from './workload';
import { LATEST_VERSION, migrate, appliedVersions } from './migrations';
import { clientSearchWords, nearSpellings, NAME_APOSTROPHES, NAME_WORD_BREAKS } from './client-names';
import { portfolioReport, portfolioSet, type StoredPortfolio } from './portfolio';
import { jsonb, jsonbText, openDatabase, quoteLiteral, schemaIdentifier, sql, join, raw, storedJson, type Database, type Sql } from './sql';

/** Input the store refuses (a page token it did not give out): the API answers 400 naming `field`. */
export class ReportingInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReportingInputError';
  }
}

export interface Stored<T> {
  seq: number;
  publishedAt: string;
  value: T;
}

/**
 * What a task read needs of its project's copy when the store has no copy of the task itself
 * (`taskOrItsProject`): which tasks the approved plan has, which have started, and what each
 * starts with. The rest — the timeline above all, the biggest part and growing — stays in the
 * store: that read is the poll of a task about to start, under load among the most frequent.
 */
const NOT_FOR_TASKS = ['brief', 'timeline', 'invoices', 'documents', 'feedback', 'complaints', 'revisions'] as const;
export type ProjectCopyForTasks = Omit<ProjectStatus, (typeof NOT_FOR_TASKS)[number]>;
/** A project's snapshot as `taskOrItsProject` returns it. */
export function projectCopyForTasks(snapshot: ProjectStatus): ProjectCopyForTasks {
  const copy: Partial<ProjectStatus> = { ...snapshot };
  for (const key of NOT_FOR_TASKS) delete copy[key];
  return copy as ProjectCopyForTasks;
}
const WITHOUT_NOT_FOR_TASKS = raw(`ARRAY[${NOT_FOR_TASKS.map(quoteLiteral).join(', ')}]::text[]`);

/** The kinds of copy a process can hold in memory (`newerThan`): a task read's copy of its project is the one above. */
export type CopyKind = 'project' | 'projectForTasks' | 'task';

/** A copy held elsewhere: its record and seq (-1: the store had no such record). */
export interface HeldCopy {
  kind: CopyKind;
  id: string;
  seq: number;
}

/** The store's newer copy of a held one. */
export interface NewerCopy {
  kind: CopyKind;
  id: string;
  copy: Stored<unknown>;
}

/** A record this store object wrote (or tried to: an older seq changes nothing). */
export interface WrittenRecord {
  kind: 'project' | 'task';
  id: string;
  /** The seq written (or refused: the store had this seq or a newer one). */
  seq: number;
  /** The copy the store now holds, when this write put it there (none: refused as older, or failed). */
  stored?: Stored<ProjectStatus> | Stored<TaskView>;
}

export interface PageRequest {
  pageSize: number;
  pageToken?: string;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Every item of a keyset-paged list, a page after another (a manager's deliveries to review; the portfolio's CSV). */
export async function everyItem<T>(read: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let pageToken: string | undefined;
  do {
    const page = await read({ pageSize: 200, ...(pageToken && { pageToken }) });
    items.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return items;
}

/**
 * What the portfolio's search and its Client and Segment choices select (`projectsFound`): the
 * project list's cards and the portfolio report's tiles by one rule, so a count agrees with the
 * cards found.
 */
export interface ProjectFinding {
  clientId?: string;
  /** Any of these clients' projects (a set asked together, the KPIs' regular clients say): one statement, `= ANY`. */
  clientIds?: readonly string[];
  segment?: string;
  /**
   * Words as someone typed them (the portfolio's search): a project is found when every word is
   * part of its title, its client's name or its client's id — any case, accents aside (`foldedSql`).
   */
  search?: string;
}

export interface ProjectListFilter extends ProjectFinding {
  managerId?: string;
  stage?: string;
  /** Work not yet delivered (open or claimed) past its due date, at read time; closed projects never are. */
  overdue?: boolean;
  /** Only one of the portfolio's sets (`portfolioSet`: the rule of its tile's count). */
  only?: PortfolioSet;
}

export interface TaskListFilter {
  department?: string;
  managerId?: string;
  projectId?: string;
  status?: string;
  /** A person id (the API resolves `me`). */
  assignee?: string;
  /** Open or claimed, and due before now (at read time). */
  overdue?: boolean;
}

export interface PublishResult {
  /** False when the store already had this seq or a newer one. */
  written: boolean;
  /** Facts new to the store. */
  factsAdded: number;
  /** When written: the time the store gives the copy (`Stored.publishedAt`). */
  publishedAt?: string;
}

function publishResult(row: { published_at: Date | null; facts: number }): PublishResult {
  const publishedAt = iso(row.published_at);
  return { written: publishedAt !== undefined, factsAdded: row.facts, ...(publishedAt && { publishedAt }) };
}

export interface SalesTargetInput {
  managerId: string;
  period: string;
  startsAt: Date;
  endsAt: Date;
  currency: string;
  amount: number;
  setBy: string;
}

const FACT_COLUMNS =
  'fact_id, kind, project_id, task_id, manager_id, department, person_id, ref, at, ref_at, amount, currency, value, label';
const FACT_RECORD =
  'fact_id text, kind text, project_id text, task_id text, manager_id text, department text, person_id text, ref text, at timestamptz, ref_at timestamptz, amount numeric, currency text, value double precision, label text';

function factRecords(facts: Fact[]): Record<string, unknown>[] {
  return facts.map((f) => ({
    fact_id: f.factId,
    kind: f.kind,
    project_id: f.projectId,
    task_id: f.taskId ?? null,
    manager_id: f.managerId,
    department: f.department ?? null,
    person_id: f.personId ?? null,
    ref: f.ref ?? null,
    at: f.at,
    ref_at: f.refAt ?? null,
    amount: f.amount ?? null,
    currency: f.currency ?? null,
    value: f.value ?? null,
    label: f.label ?? null,
  }));
}

const iso = (d: Date | string | null | undefined): string | undefined =>
  d === null || d === undefined ? undefined : d instanceof Date ? d.toISOString() : new Date(d).toISOString();

/** `text` as a LIKE pattern finding it anywhere: its `%`, `_` and backslashes are letters, not wildcards. */
const containing = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Accented Latin letters and their plain ones (é → e, Ü → U, ł stays), as JavaScript's NFD
 * decomposition without its marks gives them: for `translate` in SQL, since PostgreSQL's
 * `unaccent` is an extension the store cannot count on (neither the embedded PGlite nor a managed
 * server need have it).
 */
const ACCENTS = (() => {
  let from = '';
  let to = '';
  for (let code = 0xc0; code <= 0x24f; code++) {
    const letter = String.fromCharCode(code);
    const plain = letter.normalize('NFD').replace(/\p{M}/gu, '');
    if (plain.length === 1 && plain !== letter) {
      from += letter;
      to += plain;
    }
  }
  return { from, to };
})();

/**
 * Text compared as a person reads it: any case, accents aside ("muller" finds "Müller"), as the
 * portal compared it when it searched the cards it had. Both sides of a comparison go through it,
 * so the database's own case rules apply to both alike.
 */
const foldedSql = (text: Sql): Sql => sql`lower(translate(${text}, ${ACCENTS.from}, ${ACCENTS.to}))`;

/**
 * A client's name as `clientSearchWords` reads what is typed: folded, apostrophes dropped, "&" as
 * "and", every word break a space (so `LIKE '% word %'` finds a whole word).
 */
const clientNameSql = (text: Sql): Sql => {
  const apostrophesDropped = sql`translate(${foldedSql(text)}, ${NAME_APOSTROPHES}, '')`;
  return sql`translate(replace(${apostrophesDropped}, '&', ' and '), ${NAME_WORD_BREAKS}, ${' '.repeat([...NAME_WORD_BREAKS].length)})`;
};

/** The words of a search, each without combining marks (typed decomposed, "u" + "¨" is "u"). */
const searchWords = (search: string): string[] =>
  search
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .split(/\s+/)
    .filter(Boolean);

/**
 * The conditions of a `ProjectFinding` over the store's `projects p` (none when nothing is asked).
 * Every word in one of the three. No index serves a part of a word: the search reads the agency's
 * projects (thousands, not millions) as the other filters leave them.
 */
function projectsFound(finding: ProjectFinding): Sql[] {
  const where: Sql[] = [];
  if (finding.clientId !== undefined) where.push(sql`p.client_id = ${finding.clientId}`);
  if (finding.clientIds !== undefined) where.push(sql`p.client_id = ANY(ARRAY[${join(finding.clientIds.map((id) => sql`${id}`), ', ')}]::text[])`);
  if (finding.segment !== undefined) where.push(sql`p.segment = ${finding.segment}`);
  for (const word of searchWords(finding.search ?? '')) {
    const pattern = foldedSql(sql`${containing(word)}`);
    where.push(sql`(${foldedSql(sql`p.title`)} LIKE ${pattern} OR ${foldedSql(sql`p.client_name`)} LIKE ${pattern} OR ${foldedSql(sql`p.client_id`)} LIKE ${pattern})`);
  }
  return where;
}

/** Keyset page tokens: opaque to clients, base64url JSON of the last row's sort key. */
/**
 * Which list a page token belongs to: the list and its effective filter (a manager's own id, a
 * staff member's department included), so a token used with other filters is refused rather than
 * paging a different list from an unrelated place.
 */
function listOf(kind: 'projects' | 'tasks', filter: object): string {
  const entries = Object.entries(filter)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify([kind, entries])).digest('base64url').slice(0, 12);
}

function encodeToken(key: [string, string], list: string): string {
  return Buffer.from(JSON.stringify({ v: 1, k: key, l: list })).toString('base64url');
}

function decodeToken(token: string | undefined, list: string): [string, string] | undefined {
  if (token === undefined) return undefined;
  let parsed: { v?: unknown; k?: unknown; l?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; k?: unknown; l?: unknown };
  } catch {
    // refused below
  }
  const k = parsed?.k;
  if (parsed?.v === 1 && Array.isArray(k) && k.length === 2 && typeof k[0] === 'string' && typeof k[1] === 'string' && !Number.isNaN(Date.parse(k[0]))) {
    if (parsed.l !== list) throw new ReportingInputError('pageToken', 'this page token belongs to another list: ask again with the filters it came with, or without a pageToken');
    return [k[0], k[1]];
  }
  throw new ReportingInputError('pageToken', 'not a page token this list gave out');
}

/** `FlowSums`: the project's money facts over its whole life (`invoiced`, `paid` of the list item). */
interface ProjectListRow extends FlowSums {
  project_id: string;
  title: string;
  client_id: string;
  client_name: string;
  segment: 'B2B' | 'B2C';
  stage: ProjectListItem['stage'];
  manager_id: string;
  due_at: Date | null;
  client_due_at: Date | null;
  planned_end_at: Date | null;
  overdue: boolean;
  stage_entered_at: Date | null;
  has_open_complaint: boolean;
  complaint_due_at: Date | null;
  refund_due_at: Date | null;
  payment_due_at: Date | null;
  /** The snapshot's invoices, only where the client owes something (`payment_due_at` set). */
  invoices: InvoiceLike[] | null;
  currency: string;
  deliveries_to_review: number;
  plan_sent_back: boolean;
  /** When the oldest of the client's requests for changes still waiting for the manager was made. */
  changes_asked_at: Date | null;
  closed: boolean;
  intake_at: Date;
}

interface TaskListRow {
  task_id: string;
  project_id: string;
  title: string;
  project_title: string;
  department: TaskListItem['department'];
  status: TaskListItem['status'];
  assignee_id: string | null;
  manager_id: string;
  due_at: Date;
  overdue: boolean;
  review_rounds: number;
  waiting_for: string[] | null;
  client_name: string | null;
  submitted_at: Date | null;
  accepted_at: Date | null;
  accepted_order: Date;
}

/** A portal session as the database keeps it: by the digest of its cookie value, never the value. */
export interface StoredPortalSession {
  idDigest: string;
  personId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  /** A session single sign-on started: whom the provider signed in, and in which of its sessions. */
  signedInBy?: ProviderSignIn;
}

/** The provider's subject (`sub`) and its session (`sid`, when it names one) behind a portal session. */
export interface ProviderSignIn {
  subject: string;
  sid?: string;
}

export interface PortalSessionRecords {
  add(session: StoredPortalSession, now: number): Promise<void>;
  /** The session with this digest unless it expired by `now` (without `signedInBy`: only the provider's logout asks for it). */
  find(idDigest: string, now: number): Promise<StoredPortalSession | undefined>;
  remove(idDigest: string): Promise<void>;
  /**
   * Ends the sessions the provider started for this subject, or only those of its session `sid`
   * (OpenID Connect Back-Channel Logout: a logout token names a `sub`, a `sid` or both); returns
   * the digests of those ended.
   */
  removeSignedInBy(by: { subject?: string; sid?: string }): Promise<string[]>;
}

/** How an action's Idempotency-Key relates to the requests sent with it before. */
export type KeyUse = 'first' | 'repeat' | 'conflict';

/** How long an action's key is remembered with its request (a client retries within minutes). */
export const ACTION_KEY_MEMORY_MS = 30 * 24 * 3600_000;

export class ReportingStore {
  private readonly s: Sql;
  private readonly writeListeners = new Set<(record: WrittenRecord) => void>();

  private constructor(
    private readonly db: Database,
    readonly schema: string,
    private readonly logger?: Logger,
  ) {
    this.s = schemaIdentifier(schema);
  }

  /** Opens a pool on `url`; with `migrate` (the default) brings the schema up to date first. */
  static async open(options: {
    url: string;
    /** Overrides the URL's password. */
    password?: string;
    schema?: string;
    logger?: Logger;
    poolSize?: number;
    migrate?: boolean;
  }): Promise<ReportingStore> {
    const schema = options.schema ?? 'reporting';
    schemaIdentifier(schema);
    const db = openDatabase({ url: options.url, password: options.password, poolSize: options.poolSize, logger: options.logger });
    const store = new ReportingStore(db, schema, options.logger);
    if (options.migrate !== false) {
      try {
        await store.migrate();
      } catch (err) {
        await db.close();
        throw err;
      }
    }
    return store;
  }

  async migrate(): Promise<number[]> {
    const applied = await migrate(this.db, this.schema);
    if (applied.length > 0) this.logger?.info({ schema: this.schema, applied }, 'reporting store migrated');
    return applied;
  }

  /** True when the schema is at the version this code expects. */
  async upToDate(): Promise<boolean> {
    const versions = await appliedVersions(this.db, this.schema);
    return versions.includes(LATEST_VERSION);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private documentStore?: DatabaseDocumentStore;

  /** Produced documents in this database (DOCUMENTS_STORE=database): every worker and API process on the store shares them. */
  get documents(): DocumentStore {
    return (this.documentStore ??= new DatabaseDocumentStore(this.db, this.s));
  }

  /** The mail sent-log in this database, shared by every worker that uses the store. */
  readonly sentMail: SentLog = {
    has: async (idempotencyKey, recipient) => {
      const entry = sentLogEntryName(idempotencyKey, recipient);
      const rows = await this.db.rows<{ found: number }>(sql`SELECT 1 AS found FROM ${this.s}.mail_sent WHERE entry = ${entry}`);
      return rows.length > 0;
    },
    record: async (idempotencyKey, recipient, detail) => {
      const entry = sentLogEntryName(idempotencyKey, recipient);
      await this.db.rows(sql`
        INSERT INTO ${this.s}.mail_sent (entry, idempotency_key, recipient, message_id, sent_at)
        VALUES (${entry}, ${idempotencyKey}, ${recipient.toLowerCase()}, ${detail.messageId}, ${detail.at})
        ON CONFLICT (entry) DO NOTHING`);
    },
  };

  /**
   * Portal sessions in this database (api/sessions.ts, `StoredSessionStore`): every API process
   * sees the same ones, and they outlive a restart. Times are epoch milliseconds.
   */
  readonly portalSessions: PortalSessionRecords = {
    add: async (session, now) => {
      // Expired sessions go in the same statement, so the table never grows without bound.
      await this.db.rows(sql`
        WITH expired AS (DELETE FROM ${this.s}.portal_sessions WHERE expires_at <= ${new Date(now)} RETURNING 1)
        INSERT INTO ${this.s}.portal_sessions (id_digest, person_id, csrf_token, created_at, expires_at, provider_subject, provider_sid)
        VALUES (${session.idDigest}, ${session.personId}, ${session.csrfToken}, ${new Date(session.createdAt)}, ${new Date(session.expiresAt)},
          ${session.signedInBy?.subject ?? null}, ${session.signedInBy?.sid ?? null})`);
    },
    find: async (idDigest, now) => {
      const rows = await this.db.rows<{ person_id: string; csrf_token: string; created_at: Date; expires_at: Date }>(sql`
        SELECT person_id, csrf_token, created_at, expires_at FROM ${this.s}.portal_sessions
        WHERE id_digest = ${idDigest} AND expires_at > ${new Date(now)}`);
      const row = rows[0];
      return row && { idDigest, personId: row.person_id, csrfToken: row.csrf_token, createdAt: row.created_at.getTime(), expiresAt: row.expires_at.getTime() };
    },
    remove: async (idDigest) => {
      await this.db.rows(sql`DELETE FROM ${this.s}.portal_sessions WHERE id_digest = ${idDigest}`);
    },
    removeSignedInBy: async ({ subject, sid }) => {
      // Neither named: nothing to match (a logout token always names one; this never ends every session).
      if (subject === undefined && sid === undefined) return [];
      const rows = await this.db.rows<{ id_digest: string }>(sql`
        DELETE FROM ${this.s}.portal_sessions
        WHERE provider_subject IS NOT NULL
          AND (${subject ?? null}::text IS NULL OR provider_subject = ${subject ?? null})
          AND (${sid ?? null}::text IS NULL OR provider_sid = ${sid ?? null})
        RETURNING id_digest`);
      return rows.map((r) => r.id_digest);
    },
  };

  /**
   * Records that the action with this update id (from its Idempotency-Key) was sent with the
   * request `fingerprint`, unless it was before: then says whether with the same one. Keys older
   * than ACTION_KEY_MEMORY_MS go in the same statement, so the table never grows without bound.
   */
  async useActionKey(updateId: string, fingerprint: string, now = Date.now()): Promise<KeyUse> {
    const rows = await this.db.rows<{ inserted: string | null; earlier: string | null }>(sql`
      WITH expired AS (DELETE FROM ${this.s}.action_requests WHERE created_at < ${new Date(now - ACTION_KEY_MEMORY_MS)} RETURNING 1),
      inserted AS (
        INSERT INTO ${this.s}.action_requests (update_id, fingerprint, created_at) VALUES (${updateId}, ${fingerprint}, ${new Date(now)})
        ON CONFLICT (update_id) DO NOTHING RETURNING fingerprint
      )
      SELECT (SELECT fingerprint FROM inserted) AS inserted,
             (SELECT fingerprint FROM ${this.s}.action_requests WHERE update_id = ${updateId}) AS earlier`);
    if (rows[0]?.inserted) return 'first';
    // Sent at the same moment by another request: its row committed after this statement began.
    const earlier = rows[0]?.earlier ?? (await this.db.rows<{ fingerprint: string }>(sql`SELECT fingerprint FROM ${this.s}.action_requests WHERE update_id = ${updateId}`))[0]?.fingerprint;
    return earlier === fingerprint ? 'repeat' : 'conflict';
  }

  /**
   * A secret shared by every process on this store, made by the first that asks (`make`): the
   * same value for all of them from then on.
   */
  async sharedSecret(name: string, make: () => string): Promise<string> {
    const rows = await this.db.rows<{ value: string }>(sql`
      WITH made AS (INSERT INTO ${this.s}.secrets (name, value) VALUES (${name}, ${make()}) ON CONFLICT (name) DO NOTHING RETURNING value)
      SELECT value FROM made UNION ALL SELECT value FROM ${this.s}.secrets WHERE name = ${name}`);
    if (rows[0]) return rows[0].value;
    // Made by another process in the same instant: its row committed after this statement began.
    const [again] = await this.db.rows<{ value: string }>(sql`SELECT value FROM ${this.s}.secrets WHERE name = ${name}`);
    if (!again) throw new Error(`shared secret ${name} could not be made`);
    return again.value;
  }

  /** Which generation of its client link a project is at: 0 until the link is first renewed. */
  async clientLinkGeneration(projectId: string): Promise<number> {
    const rows = await this.db.rows<{ generation: number }>(sql`SELECT generation FROM ${this.s}.client_links WHERE project_id = ${projectId}`);
    return rows[0]?.generation ?? 0;
  }

  /**
   * Moves a project's client link from generation `from` to the next, only if it is still at
   * `from`. `renewed` is true when this call moved it, or when the generation after `from` was
   * made by a renewal with the same `key` (its retry); false when someone else renewed it since
   * `from` (two people at once: one of them renews, the other is told). `keyUsedBefore`: `key` made
   * the current generation from another `from` (a key reused for another request): nothing moves.
   */
  async renewClientLink(projectId: string, from: number, key?: string): Promise<{ generation: number; renewed: boolean; keyUsedBefore?: boolean }> {
    const moved =
      from === 0
        ? await this.db.rows<{ generation: number }>(sql`
            INSERT INTO ${this.s}.client_links (project_id, generation, renewal_key) VALUES (${projectId}, 1, ${key ?? null})
            ON CONFLICT (project_id) DO NOTHING RETURNING generation`)
        : await this.db.rows<{ generation: number }>(sql`
            UPDATE ${this.s}.client_links SET generation = ${from + 1}, renewal_key = ${key ?? null}, renewed_at = now()
            WHERE project_id = ${projectId} AND generation = ${from} ${key === undefined ? sql`` : sql`AND renewal_key IS DISTINCT FROM ${key}`} RETURNING generation`);
    if (moved[0]) return { generation: moved[0].generation, renewed: true };
    const [now] = await this.db.rows<{ generation: number; renewal_key: string | null }>(
      sql`SELECT generation, renewal_key FROM ${this.s}.client_links WHERE project_id = ${projectId}`,
    );
    const generation = now?.generation ?? 0;
    const sameKey = key !== undefined && now?.renewal_key === key;
    // The key of the renewal that made this generation, sent with another `from`: not a retry of it.
    return { generation, renewed: sameKey && generation === from + 1, ...(sameKey && generation !== from + 1 && { keyUsedBefore: true }) };
  }

  /** The request an action's update id was first used with (its fingerprint), if it was. */
  async actionKeyFingerprint(updateId: string): Promise<string | undefined> {
    const rows = await this.db.rows<{ fingerprint: string }>(sql`SELECT fingerprint FROM ${this.s}.action_requests WHERE update_id = ${updateId}`);
    return rows[0]?.fingerprint;
  }

  // Mail preferences (activities/mail/digest-mail.ts): who stopped which weekly digest.

  /** Of `personIds`, those who stopped `digest`. */
  async stoppedDigest(digest: DigestKind, personIds: readonly string[]): Promise<Set<string>> {
    if (personIds.length === 0) return new Set();
    const rows = await this.db.rows<{ person_id: string }>(sql`
      SELECT person_id FROM ${this.s}.mail_preferences
      WHERE digest = ${digest} AND NOT receives AND person_id IN (${join(personIds.map((id) => sql`${id}`), ', ')})`);
    return new Set(rows.map((r) => r.person_id));
  }

  /** A person's changed preferences (a digest without one: they get it). */
  async mailPreferences(personId: string): Promise<MailPreference[]> {
    const rows = await this.db.rows<{ digest: DigestKind; receives: boolean; changed_by: string; changed_at: Date }>(sql`
      SELECT digest, receives, changed_by, changed_at FROM ${this.s}.mail_preferences WHERE person_id = ${personId} ORDER BY digest`);
    return rows.map((r) => ({ digest: r.digest, receives: r.receives, changedBy: r.changed_by, changedAt: new Date(r.changed_at).toISOString() }));
  }

  /**
   * Sets whether a person gets a digest. Setting what already stands changes nothing (a second
   * press of the mail's button, a retried save): `changed` is false, and who changed it when stays.
   */
  async setMailPreference(personId: string, digest: DigestKind, receives: boolean, changedBy: string): Promise<{ changed: boolean }> {
    // Without a row the person gets the digest: turning it on then has nothing to change.
    const rows = receives
      ? await this.db.rows<{ person_id: string }>(sql`
          UPDATE ${this.s}.mail_preferences SET receives = TRUE, changed_by = ${changedBy}, changed_at = now()
          WHERE person_id = ${personId} AND digest = ${digest} AND NOT receives RETURNING person_id`)
      : await this.db.rows<{ person_id: string }>(sql`
          INSERT INTO ${this.s}.mail_preferences (person_id, digest, receives, changed_by, changed_at)
          VALUES (${personId}, ${digest}, FALSE, ${changedBy}, now())
          ON CONFLICT (person_id, digest) DO UPDATE SET receives = FALSE, changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at
            WHERE ${this.s}.mail_preferences.receives
          RETURNING person_id`);
    return { changed: rows.length > 0 };
  }

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  async publish(input: SnapshotRecord): Promise<PublishResult> {
    // What the store keeps is the value without NULs (jsonb cannot hold one): its columns, its
    // copy and what this process holds in memory are all made from that one value.
    const given = input.kind === 'project' ? input.snapshot : input.view;
    const json = storedJson(given);
    const value: unknown = json.droppedNul ? JSON.parse(json.text) : given;
    let result: PublishResult | undefined;
    try {
      result =
        input.kind === 'project'
          ? await this.publishProject(input.seq, value as ProjectStatus, json.text)
          : await this.publishTask(input.seq, value as TaskView, json.text);
      return result;
    } finally {
      // Also after a failure: the statement may have been applied before its answer was lost.
      const stored = result?.publishedAt ? { seq: input.seq, publishedAt: result.publishedAt, value } : undefined;
      const written = { kind: input.kind, id: input.kind === 'project' ? input.projectId : input.taskId, seq: input.seq, ...(stored && { stored }) } as WrittenRecord;
      for (const listener of this.writeListeners) listener(written);
    }
  }

  /**
   * Calls `listener` after each publish through this object (in this process; other processes'
   * writes are learned with `newerThan`). Returns what removes it.
   */
  onWritten(listener: (record: WrittenRecord) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** `json`: the snapshot as `storedJson` wrote it. */
  private async publishProject(seq: number, snapshot: ProjectStatus, json: string): Promise<PublishResult> {
    const { s } = this;
    const r = projectRow(snapshot);
    const facts = projectFacts(snapshot);
    const rows = await this.db.rows<{ published_at: Date | null; facts: number }>(sql`
      WITH upsert AS (
        INSERT INTO ${s}.projects AS t (project_id, seq, snapshot_version, published_at, snapshot, title, client_id, client_name,
          segment, manager_id, stage, stage_entered_at, intake_at, due_at, client_due_at, planned_end_at, pending_due_at,
          payment_due_at, has_open_complaint, complaint_due_at, refund_due_at, closed, currency, departments)
        VALUES (${r.projectId}, ${seq}, ${r.snapshotVersion}, clock_timestamp(), ${jsonbText(json)}, ${r.title}, ${r.clientId},
          ${r.clientName}, ${r.segment}, ${r.managerId}, ${r.stage}, ${r.stageEnteredAt}::timestamptz, ${r.intakeAt}::timestamptz,
          ${r.dueAt}::timestamptz, ${r.clientDueAt}::timestamptz, ${r.plannedEndAt}::timestamptz, ${r.pendingDueAt}::timestamptz,
          ${r.paymentDueAt}::timestamptz, ${r.hasOpenComplaint},
          ${r.complaintDueAt}::timestamptz, ${r.refundDueAt}::timestamptz, ${r.closed}, ${r.currency}, ARRAY(SELECT jsonb_array_elements_text(${jsonb(r.departments)})))
        ON CONFLICT (project_id) DO UPDATE SET
          seq = EXCLUDED.seq, snapshot_version = EXCLUDED.snapshot_version, published_at = EXCLUDED.published_at,
          snapshot = EXCLUDED.snapshot, title = EXCLUDED.title, client_id = EXCLUDED.client_id, client_name = EXCLUDED.client_name,
          segment = EXCLUDED.segment, manager_id = EXCLUDED.manager_id, stage = EXCLUDED.stage,
          stage_entered_at = EXCLUDED.stage_entered_at, intake_at = EXCLUDED.intake_at, due_at = EXCLUDED.due_at,
          client_due_at = EXCLUDED.client_due_at, planned_end_at = EXCLUDED.planned_end_at,
          pending_due_at = EXCLUDED.pending_due_at, payment_due_at = EXCLUDED.payment_due_at,
          has_open_complaint = EXCLUDED.has_open_complaint, complaint_due_at = EXCLUDED.complaint_due_at,
          refund_due_at = EXCLUDED.refund_due_at, closed = EXCLUDED.closed, currency = EXCLUDED.currency,
          departments = EXCLUDED.departments
        WHERE t.seq < EXCLUDED.seq
        RETURNING t.published_at
      ), handed_over AS (
        -- A project handed to another manager takes its tasks along, ended ones too (their
        -- workflows are gone; running ones also publish the change themselves).
        UPDATE ${s}.tasks SET manager_id = ${r.managerId}, view = jsonb_set(view, '{managerId}', to_jsonb(${r.managerId}::text))
        WHERE project_id = ${r.projectId} AND manager_id <> ${r.managerId} AND EXISTS (SELECT 1 FROM upsert)
        RETURNING 1
      ), added AS (${this.insertFacts(facts)})${this.relabelOverpayments(facts)}
      SELECT (SELECT max(published_at) FROM upsert) AS published_at, (SELECT count(*) FROM added)::int AS facts`);
    return publishResult(rows[0]);
  }

  /**
   * A credit note first stored before a snapshot listed it in an invoice's `excessCreditedBy` (the
   * workflow lists it once the note is issued, after a snapshot may already carry the note) gets the
   * overpayment's label now (facts.ts): only ever to it, so a snapshot arriving late changes nothing.
   * An extra CTE of the publish, when the snapshot has such credit notes; it is not counted as added.
   */
  private relabelOverpayments(facts: Fact[]): Sql {
    const ids = facts.filter((f) => f.kind === 'credit_note' && f.label === OVERPAYMENT_CREDIT_NOTE).map((f) => f.factId);
    if (ids.length === 0) return sql``;
    return sql`, relabelled AS (
        UPDATE ${this.s}.facts SET label = ${OVERPAYMENT_CREDIT_NOTE}
        WHERE fact_id IN (SELECT jsonb_array_elements_text(${jsonb(ids)})) AND kind = 'credit_note' AND label IS DISTINCT FROM ${OVERPAYMENT_CREDIT_NOTE}
        RETURNING 1
      )`;
  }

  /** `json`: the view as `storedJson` wrote it. */
  private async publishTask(seq: number, view: TaskView, json: string): Promise<PublishResult> {
    const { s } = this;
    const r = taskRow(view);
    const rows = await this.db.rows<{ published_at: Date | null; facts: number }>(sql`
      WITH manager AS (
        -- The project's manager where the store has the project: a task published before it heard
        -- of a handover (or, in a rebuild, after its project) does not move the task back.
        SELECT COALESCE((SELECT manager_id FROM ${s}.projects WHERE project_id = ${r.projectId}), ${r.managerId}) AS id
      ), upsert AS (
        INSERT INTO ${s}.tasks AS t (task_id, project_id, seq, snapshot_version, published_at, view, title, project_title,
          department, status, assignee_id, manager_id, due_at, estimate_hours, revision_round, review_rounds,
          client_name, submitted_at, accepted_at)
        VALUES (${r.taskId}, ${r.projectId}, ${seq}, ${r.snapshotVersion}, clock_timestamp(),
          jsonb_set(${jsonbText(json)}, '{managerId}', to_jsonb((SELECT id FROM manager))), ${r.title},
          ${r.projectTitle}, ${r.department}, ${r.status}, ${r.assigneeId}, (SELECT id FROM manager), ${r.dueAt}::timestamptz,
          ${r.estimateHours}, ${r.revisionRound}, ${r.reviewRounds},
          ${r.clientName}, ${r.submittedAt}::timestamptz, ${r.acceptedAt}::timestamptz)
        ON CONFLICT (task_id) DO UPDATE SET
          project_id = EXCLUDED.project_id, seq = EXCLUDED.seq, snapshot_version = EXCLUDED.snapshot_version,
          published_at = EXCLUDED.published_at, view = EXCLUDED.view, title = EXCLUDED.title,
          project_title = EXCLUDED.project_title, department = EXCLUDED.department, status = EXCLUDED.status,
          assignee_id = EXCLUDED.assignee_id, manager_id = EXCLUDED.manager_id, due_at = EXCLUDED.due_at,
          estimate_hours = EXCLUDED.estimate_hours, revision_round = EXCLUDED.revision_round, review_rounds = EXCLUDED.review_rounds,
          client_name = EXCLUDED.client_name, submitted_at = EXCLUDED.submitted_at, accepted_at = EXCLUDED.accepted_at
        WHERE t.seq < EXCLUDED.seq
        RETURNING t.published_at
      ), added AS (${this.insertFacts(taskFacts(view))})
      SELECT (SELECT max(published_at) FROM upsert) AS published_at, (SELECT count(*) FROM added)::int AS facts`);
    return publishResult(rows[0]);
  }

  /** Facts are inserted whatever the seq: an older snapshot's facts are a subset of the newer's. */
  private insertFacts(facts: Fact[]): Sql {
    return sql`INSERT INTO ${this.s}.facts (${raw(FACT_COLUMNS)})
      SELECT ${raw(FACT_COLUMNS)} FROM jsonb_to_recordset(${jsonb(factRecords(facts))}) AS f(${raw(FACT_RECORD)})
      ON CONFLICT (fact_id) DO NOTHING
      RETURNING 1`;
  }

  // -------------------------------------------------------------------------------------------
  // Single reads
  // -------------------------------------------------------------------------------------------

  async project(projectId: string): Promise<Stored<ProjectStatus> | undefined> {
    const rows = await this.db.rows<{ seq: number; published_at: Date; snapshot: ProjectStatus }>(
      sql`SELECT seq, published_at, snapshot FROM ${this.s}.projects WHERE project_id = ${projectId}`,
    );
    const row = rows[0];
    return row && { seq: Number(row.seq), publishedAt: iso(row.published_at)!, value: row.snapshot };
  }

  async task(taskId: string): Promise<Stored<TaskView> | undefined> {
    const rows = await this.db.rows<{ seq: number; published_at: Date; view: TaskView }>(
      sql`SELECT seq, published_at, view FROM ${this.s}.tasks WHERE task_id = ${taskId}`,
    );
    const row = rows[0];
    return row && { seq: Number(row.seq), publishedAt: iso(row.published_at)!, value: row.view };
  }

  /**
   * A task's copy, or — when the store has not seen the task yet (just started) — its project's,
   * which knows what the project started it with. One statement: a task read is one round trip
   * either way.
   */
  async taskOrItsProject(taskId: string, projectId: string): Promise<{ task?: Stored<TaskView>; project?: Stored<ProjectCopyForTasks> }> {
    const { s } = this;
    const rows = await this.db.rows<{ kind: 'task' | 'project'; seq: number; published_at: Date; doc: TaskView | ProjectCopyForTasks }>(
      sql`SELECT 'task' AS kind, seq, published_at, view AS doc FROM ${s}.tasks WHERE task_id = ${taskId}
        UNION ALL
        SELECT 'project', seq, published_at, snapshot - ${WITHOUT_NOT_FOR_TASKS} FROM ${s}.projects
        WHERE project_id = ${projectId} AND NOT EXISTS (SELECT 1 FROM ${s}.tasks WHERE task_id = ${taskId})`,
    );
    const stored = <T>(row: (typeof rows)[number]): Stored<T> => ({ seq: Number(row.seq), publishedAt: iso(row.published_at)!, value: row.doc as T });
    const task = rows.find((r) => r.kind === 'task');
    const project = rows.find((r) => r.kind === 'project');
    return { ...(task && { task: stored<TaskView>(task) }), ...(project && { project: stored<ProjectStatus>(project) }) };
  }

  /**
   * Of the copies someone holds, the ones the store has newer (a higher seq, or a record it had
   * none of), with those copies: one statement, by primary key, however many are held.
   */
  async newerThan(held: HeldCopy[]): Promise<NewerCopy[]> {
    if (held.length === 0) return [];
    const { s } = this;
    const rows = await this.db.rows<{ kind: CopyKind; id: string; seq: number; published_at: Date; doc: unknown }>(sql`
      WITH held AS (SELECT * FROM jsonb_to_recordset(${jsonb(held)}) AS h(kind text, id text, seq bigint))
      SELECT h.kind, h.id, p.seq, p.published_at,
          CASE h.kind WHEN 'project' THEN p.snapshot ELSE p.snapshot - ${WITHOUT_NOT_FOR_TASKS} END AS doc
        FROM held h JOIN ${s}.projects p ON p.project_id = h.id AND p.seq > h.seq
        WHERE h.kind IN ('project', 'projectForTasks')
      UNION ALL
      SELECT h.kind, h.id, t.seq, t.published_at, t.view
        FROM held h JOIN ${s}.tasks t ON t.task_id = h.id AND t.seq > h.seq
        WHERE h.kind = 'task'`);
    return rows.map((r) => ({ kind: r.kind, id: r.id, copy: { seq: Number(r.seq), publishedAt: iso(r.published_at)!, value: r.doc } }));
  }

  /** The newest publish the store has seen: how fresh every answer from it is. */
  async asOf(): Promise<string | undefined> {
    const rows = await this.db.rows<{ as_of: Date | null }>(
      sql`SELECT GREATEST((SELECT max(published_at) FROM ${this.s}.projects), (SELECT max(published_at) FROM ${this.s}.tasks)) AS as_of`,
    );
    return iso(rows[0]?.as_of);
  }

  // -------------------------------------------------------------------------------------------
  // Lists (GET /api/projects, GET /api/tasks): keyset pages, "overdue" computed at read time
  // -------------------------------------------------------------------------------------------

  /** Newest intake first (like the visibility list it replaces). */
  async listProjects(filter: ProjectListFilter, page: PageRequest, now: Date = new Date()): Promise<Page<ProjectListItem>> {
    const { s } = this;
    const list = listOf('projects', filter);
    const after = decodeToken(page.pageToken, list);
    const overdue = sql`(NOT p.closed AND p.pending_due_at IS NOT NULL AND p.pending_due_at < ${now})`;
    const where: Sql[] = [sql`TRUE`];
    if (filter.managerId !== undefined) where.push(sql`p.manager_id = ${filter.managerId}`);
    if (filter.stage !== undefined) where.push(sql`p.stage = ${filter.stage}`);
    where.push(...projectsFound(filter));
    if (filter.overdue !== undefined) where.push(filter.overdue ? overdue : sql`NOT ${overdue}`);
    if (filter.only !== undefined) where.push(portfolioSet(filter.only, now));
    if (after) where.push(sql`(p.intake_at, p.project_id) < (${after[0]}::timestamptz, ${after[1]})`);
    const rows = await this.db.rows<ProjectListRow>(sql`
      SELECT p.project_id, p.title, p.client_id, p.client_name, p.segment, p.stage, p.manager_id, p.due_at, p.client_due_at,
        p.planned_end_at, ${overdue} AS overdue, p.stage_entered_at, p.has_open_complaint, p.complaint_due_at, p.refund_due_at,
        p.payment_due_at, p.closed, p.intake_at, p.currency,
        -- What waits on the manager (the portfolio's cards): the money still owed either way, worked out from
        -- the snapshot's invoices where anything is; deliveries to review, counted as the review
        -- queue lists them (the tasks' own views); a plan leadership sent back.
        CASE WHEN p.payment_due_at IS NOT NULL OR p.refund_due_at IS NOT NULL THEN p.snapshot->'invoices' END AS invoices,
        (SELECT count(*)::int FROM ${s}.tasks t WHERE t.project_id = p.project_id AND t.status = 'submitted') AS deliveries_to_review,
        (p.stage = 'planning' AND jsonb_array_length(coalesce(p.snapshot->'plans', '[]'::jsonb)) > 0) AS plan_sent_back,
        -- The client's changes still waiting for the manager's answer (no outcome yet): the oldest one's time.
        -- Only with the client (a request is asked and answered there; one a cancellation closed is
        -- never answered), which also spares reading every other project's snapshot, as for invoices.
        CASE WHEN p.stage = 'client_review' THEN
          (SELECT min((r->>'at')::timestamptz) FROM jsonb_array_elements(coalesce(p.snapshot->'changeRequests', '[]'::jsonb)) r
            WHERE r->'outcome' IS NULL)
        END AS changes_asked_at,
        m.invoiced, m.voided, m.credited, m.paid, m.refunded
      FROM ${s}.projects p
        -- What the project billed and was paid: the KPI report's money facts and sums (kpis.ts), over
        -- the project's whole life instead of a period. A fact counts in the one period its date is
        -- in and never changes once stored, so this is the KPI's netInvoiced / netPaid for the
        -- project summed over any periods that cover its facts. Its invoices are all in its currency
        -- (billing.ts): the condition only keeps the sum in one currency.
        CROSS JOIN LATERAL (
          SELECT ${FLOW_SUMS} FROM ${s}.facts f WHERE f.project_id = p.project_id AND f.currency = p.currency AND ${FLOW_KINDS}
        ) m
      WHERE ${join(where, ' AND ')}
      ORDER BY p.intake_at DESC, p.project_id DESC
      LIMIT ${page.pageSize + 1}`);
    const more = rows.length > page.pageSize;
    const items = rows.slice(0, page.pageSize);
    const last = items[items.length - 1];
    return {
      items: items.map(projectListItem),
      ...(more && last && { nextPageToken: encodeToken([iso(last.intake_at)!, last.project_id], list) }),
    };
  }

  /**
   * Most urgent first: by due date, then id. Accepted work (`status` accepted) newest accepted
   * first instead: what someone looks back on (a task accepted before acceptance times were kept
   * sorts by its delivery, else its due date).
   */
  async listTasks(filter: TaskListFilter, page: PageRequest, now: Date = new Date()): Promise<Page<TaskListItem>> {
    const { s } = this;
    const list = listOf('tasks', filter);
    const after = decodeToken(page.pageToken, list);
    const newestAccepted = filter.status === 'accepted';
    const acceptedOrder = sql`coalesce(t.accepted_at, t.submitted_at, t.due_at)`;
    // The same rule as `taskOverdue`.
    const overdue = sql`(t.status IN ('open', 'claimed') AND t.due_at < ${now})`;
    const where: Sql[] = [sql`TRUE`];
    if (filter.department !== undefined) where.push(sql`t.department = ${filter.department}`);
    if (filter.managerId !== undefined) where.push(sql`t.manager_id = ${filter.managerId}`);
    if (filter.projectId !== undefined) where.push(sql`t.project_id = ${filter.projectId}`);
    if (filter.status !== undefined) where.push(sql`t.status = ${filter.status}`);
    if (filter.assignee !== undefined) where.push(sql`t.assignee_id = ${filter.assignee}`);
    if (filter.overdue !== undefined) where.push(filter.overdue ? overdue : sql`NOT ${overdue}`);
    if (after) {
      where.push(
        newestAccepted
          ? sql`(${acceptedOrder}, t.task_id) < (${after[0]}::timestamptz, ${after[1]})`
          : sql`(t.due_at, t.task_id) > (${after[0]}::timestamptz, ${after[1]})`,
      );
    }
    const rows = await this.db.rows<TaskListRow>(sql`
      SELECT t.task_id, t.project_id, t.title, t.project_title, t.department, t.status, t.assignee_id, t.manager_id, t.due_at,
        ${overdue} AS overdue, t.review_rounds, t.client_name, t.submitted_at, t.accepted_at, ${acceptedOrder} AS accepted_order,
        -- A waiting task's dependencies not yet accepted, by title (a key until its task is stored).
        CASE WHEN t.status = 'waiting' THEN (
          SELECT coalesce(array_agg(coalesce(d.title, k.key) ORDER BY d.due_at, k.key), '{}')
          FROM jsonb_array_elements_text(t.view->'dependsOn') AS k(key)
          LEFT JOIN ${s}.tasks d ON d.task_id = t.project_id || '.' || k.key
          WHERE d.status IS DISTINCT FROM 'accepted') END AS waiting_for
      FROM ${s}.tasks t
      WHERE ${join(where, ' AND ')}
      ORDER BY ${newestAccepted ? sql`${acceptedOrder} DESC, t.task_id DESC` : sql`t.due_at, t.task_id`}
      LIMIT ${page.pageSize + 1}`);
    const more = rows.length > page.pageSize;
    const items = rows.slice(0, page.pageSize);
    const last = items[items.length - 1];
    return {
      items: items.map(taskListItem),
      ...(more && last && { nextPageToken: encodeToken([iso(newestAccepted ? last.accepted_order : last.due_at)!, last.task_id], list) }),
    };
  }

  /**
   * The approved plans' tasks of projects waiting for their prepayment before starting any
   * (`waitingForPrepayment`), earliest due first: work no task row shows yet. The statement takes
   * only projects in production with an unpaid invoice and no task started (light columns, then the
   * length of one array), and of those only the parts of the snapshot the rule reads.
   */
  async plannedTasks(filter: { department?: string; managerId?: string }): Promise<PlannedTaskItem[]> {
    const { s } = this;
    const where: Sql[] = [sql`p.stage = 'in_production'`, sql`p.payment_due_at IS NOT NULL`, sql`jsonb_array_length(p.snapshot->'tasks') = 0`];
    if (filter.managerId !== undefined) where.push(sql`p.manager_id = ${filter.managerId}`);
    const rows = await this.db.rows<{ project_id: string; title: string; manager_id: string; facts: PrepaymentWaitFacts }>(sql`
      SELECT p.project_id, p.title, p.manager_id,
        jsonb_build_object('stage', p.stage, 'policy', p.snapshot->'policy', 'tasks', p.snapshot->'tasks', 'invoices', p.snapshot->'invoices',
          'plans', p.snapshot->'plans', 'approvedPlanVersion', p.snapshot->'approvedPlanVersion') AS facts
      FROM ${s}.projects p
      WHERE ${join(where, ' AND ')}`);
    return rows
      .flatMap((r) => {
        const waiting = waitingForPrepayment(r.facts);
        if (!waiting) return [];
        const titleOf = new Map(waiting.tasks.map((t) => [t.key, t.title]));
        return waiting.tasks
          .filter((t) => filter.department === undefined || t.department === filter.department)
          .map((t): PlannedTaskItem => {
            const waitingFor = t.dependsOn.map((key) => titleOf.get(key) ?? key);
            return {
              taskId: taskIdOf(r.project_id, t.key),
              projectId: r.project_id,
              projectTitle: r.title,
              title: t.title,
              department: t.department,
              managerId: r.manager_id,
              dueAt: t.dueAt,
              estimateHours: t.estimateHours,
              ...(waitingFor.length > 0 && { waitingFor }),
              prepayment: { invoiceNumber: waiting.invoice.number, dueAt: waiting.invoice.dueAt },
            };
          });
      })
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.taskId.localeCompare(b.taskId));
  }

  // -------------------------------------------------------------------------------------------
  // Reports
  // -------------------------------------------------------------------------------------------

  /**
   * The agency's clients, the most recently active first: each under its id, with the name and
   * segment of its newest project. `search` finds a returning client however its name is typed
   * (`client-names.ts`): each word in the name or id, any case, accents, punctuation and legal-form
   * words aside ("muller and sohn gmbh" finds "Müller & Sohn"); those found so come first
   * (`match: 'exact'`), then those found only with a word a letter off ("Acmee" for "ACME Ltd",
   * `match: 'similar'`). A manager picking a known client here keeps one id per client, which
   * regular clients and client spend count by. The email (a B2C client's is a private person's) is
   * given to leadership, and to a manager only for clients they have a project with (`emailsFor`).
   */
  async clients(options: { search?: string; clientId?: string; limit: number; emailsFor: 'everyone' | { managerId: string } }): Promise<ClientListItem[]> {
    const { s } = this;
    const name = clientNameSql(sql`l.client_name`);
    const words = options.search === undefined ? [] : clientSearchWords(options.search);
    if (options.search !== undefined && words.length === 0) return []; // punctuation only: nothing to look for, not everyone
    const exactly = words.map((word) => {
      const pattern = foldedSql(sql`${containing(word)}`);
      return sql`(${name} LIKE ${pattern} OR ${foldedSql(sql`l.client_id`)} LIKE ${pattern})`;
    });
    // A word a letter off is looked for as a whole word of the name (a part of one, a letter off,
    // is most names). Every client is read either way (no index serves a part of a word); each
    // costs at most ~4 comparisons per letter typed, fine for the agency's thousands of clients.
    const nearly = words.map((word, i) => {
      const spellings = nearSpellings(word);
      if (spellings.length === 0) return exactly[i];
      const patterns = join(spellings.map((spelling) => sql`${`% ${spelling} %`}`), ', ');
      return sql`(${exactly[i]} OR ' ' || ${name} || ' ' LIKE ANY (SELECT ${foldedSql(sql`n.pattern`)} FROM unnest(ARRAY[${patterns}]::text[]) AS n(pattern)))`;
    });
    const exact = join([sql`TRUE`, ...exactly], ' AND ');
    const mayReadEmail =
      options.emailsFor === 'everyone'
        ? sql`TRUE`
        : sql`EXISTS (SELECT 1 FROM ${s}.projects m WHERE m.client_id = c.client_id AND m.manager_id = ${options.emailsFor.managerId})`;
    // Only light columns until the page is cut; the snapshot (for the email) of at most `limit` rows.
    const rows = await this.db.rows<{ client_id: string; client_name: string; segment: Segment; email: string | null; projects: number; last_intake_at: Date; exact: boolean }>(sql`
      SELECT c.client_id, c.client_name, c.segment, c.projects, c.last_intake_at, c.exact,
        CASE WHEN ${mayReadEmail} THEN p.snapshot->'client'->>'email' END AS email
      FROM (
        SELECT l.client_id, l.client_name, l.segment, l.project_id, l.intake_at AS last_intake_at, n.projects, ${exact} AS exact
        FROM (SELECT DISTINCT ON (client_id) client_id, client_name, segment, project_id, intake_at
              FROM ${s}.projects ORDER BY client_id, intake_at DESC, project_id DESC) l
        JOIN (SELECT client_id, count(*)::int AS projects FROM ${s}.projects GROUP BY client_id) n USING (client_id)
        WHERE ${join([sql`TRUE`, ...nearly], ' AND ')}
          AND ${options.clientId === undefined ? sql`TRUE` : sql`l.client_id = ${options.clientId}`}
        ORDER BY exact DESC, l.intake_at DESC, l.client_id
        LIMIT ${options.limit}) c
      JOIN ${s}.projects p ON p.project_id = c.project_id
      ORDER BY c.exact DESC, c.last_intake_at DESC, c.client_id`);
    return rows.map((r) => ({
      clientId: r.client_id,
      name: r.client_name,
      segment: r.segment,
      ...(r.email !== null && { email: r.email }),
      projects: r.projects,
      lastIntakeAt: iso(r.last_intake_at)!,
      ...(options.search !== undefined && { match: r.exact ? ('exact' as const) : ('similar' as const) }),
    }));
  }

  /** The portfolio report; asked with a `ProjectFinding`, of the projects the list finds by it. */
  portfolio(options: { managerId?: string; now?: Date } & ProjectFinding): Promise<StoredPortfolio> {
    const { managerId, now, ...finding } = options;
    const found = projectsFound(finding);
    return portfolioReport(this.db, this.s, {
      managerId,
      now: now ?? new Date(),
      ...(found.length > 0 && {
        found: {
          where: join(found, ' AND '),
          scope: {
            ...(finding.clientId !== undefined && { clientId: finding.clientId }),
            ...(finding.clientIds !== undefined && { clientIds: [...finding.clientIds] }),
            ...(finding.segment !== undefined && { segment: finding.segment as Segment }),
            ...(finding.search !== undefined && { q: finding.search }),
          },
        },
      }),
    });
  }

  kpis(query: KpiQuery): Promise<KpiReport> {
    return kpiReport(this.db, this.s, query);
  }

  /** The deliveries behind the KPI report's delivery figures, most late first. */
  kpiDeliveries(query: DeliveryListQuery): Promise<Omit<KpiDeliveryList, 'scope'>> {
    return deliveryList(this.db, this.s, query);
  }

  /** The client requests behind the KPI report's response-time figures, slowest first. */
  kpiResponses(query: ResponseListQuery): Promise<Omit<KpiResponseList, 'scope'>> {
    return responseList(this.db, this.s, query);
  }

  /** The tasks behind the KPI report's workload figures, most urgent first. */
  kpiWorkload(query: WorkloadListQuery): ReturnType<typeof workloadList> {
    return workloadList(this.db, this.s, query);
  }

  /** Who holds work now: running projects by manager, tasks in work by holder (of one manager's projects, when asked). */
  workHolders(q: { managerId?: string }): Promise<WorkHolders> {
    return workHolders(this.db, this.s, q);
  }

  /** Who has more hours in work than `thresholdHours` now, the most loaded first (the KPI report's `overloaded`). */
  overloadedPeople(thresholdHours: number): Promise<OverloadedPerson[]> {
    return overloadedPeople(this.db, this.s, thresholdHours);
  }

  /** The ratings behind the KPI report's client ratings, lowest first. */
  kpiRatings(query: RatingListQuery): ReturnType<typeof ratingList> {
    return ratingList(this.db, this.s, query);
  }

  /** The complaints behind the KPI report's complaint figures, the oldest open first. */
  kpiComplaints(query: ComplaintListQuery): ReturnType<typeof complaintList> {
    return complaintList(this.db, this.s, query);
  }

  /** The invoices or payments behind the KPI report's money figures and its sales plan, the newest first. */
  kpiMoney(query: MoneyListQuery): ReturnType<typeof moneyList> {
    return moneyList(this.db, this.s, query);
  }

  /** Removes a manager's target for a period; true when there was one. */
  async deleteSalesTarget(managerId: string, period: string): Promise<boolean> {
    const rows = await this.db.rows(sql`DELETE FROM ${this.s}.sales_targets WHERE manager_id = ${managerId} AND period = ${period} RETURNING 1`);
    return rows.length > 0;
  }

  /** Sets a target; the same body again changes nothing (not even who set it, or when). */
  async setSalesTarget(input: SalesTargetInput, now: Date = new Date()): Promise<{ target: SalesTarget; created: boolean; changed: boolean }> {
    const { s } = this;
    const rows = await this.db.rows<{ inserted: boolean }>(sql`
      INSERT INTO ${s}.sales_targets AS t (manager_id, period, starts_at, ends_at, currency, amount, set_by, set_at)
      VALUES (${input.managerId}, ${input.period}, ${input.startsAt}, ${input.endsAt}, ${input.currency}, ${input.amount}, ${input.setBy}, ${now})
      ON CONFLICT (manager_id, period) DO UPDATE SET
        currency = EXCLUDED.currency, amount = EXCLUDED.amount, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
      WHERE (t.currency, t.amount) IS DISTINCT FROM (EXCLUDED.currency, EXCLUDED.amount)
      RETURNING (xmax = 0) AS inserted`);
    const [target] = await this.salesTargets({ managerId: input.managerId, period: input.period });
    return { target, created: rows[0]?.inserted === true, changed: rows.length > 0 };
  }

  /** The targets `filter` asks for, each with what it has brought in, as the KPI report's sales plan counts it. */
  salesTargets(filter: SalesTargetFilter): Promise<SalesTarget[]> {
    return salesTargets(this.db, this.s, filter);
  }

  // -------------------------------------------------------------------------------------------
  // For tests and the rebuild: everything the store holds, in a stable order
  // -------------------------------------------------------------------------------------------

  async dump(): Promise<{ projects: Record<string, unknown>[]; tasks: Record<string, unknown>[]; facts: Record<string, unknown>[] }> {
    const { s } = this;
    const [projects, tasks, facts] = await Promise.all([
      this.db.rows(sql`SELECT project_id, seq, snapshot FROM ${s}.projects ORDER BY project_id`),
      this.db.rows(sql`SELECT task_id, seq, view FROM ${s}.tasks ORDER BY task_id`),
      this.db.rows(sql`SELECT ${raw(FACT_COLUMNS)} FROM ${s}.facts ORDER BY fact_id`),
    ]);
    return { projects, tasks, facts };
  }

  /** Drops this store's schema with everything in it (tests: an isolated store cleans up after itself). */
  async dropSchema(): Promise<void> {
    await this.db.rows(sql`DROP SCHEMA IF EXISTS ${this.s} CASCADE`);
  }
}

function projectListItem(r: ProjectListRow): ProjectListItem {
  const { netInvoiced, netPaid } = moneyFlows(r, r.currency);
  return {
    projectId: r.project_id,
    title: r.title,
    clientId: r.client_id,
    clientName: r.client_name,
    segment: r.segment,
    stage: r.stage,
    managerId: r.manager_id,
    ...(r.due_at && { dueAt: iso(r.due_at) }),
    ...(r.client_due_at && { clientDueAt: iso(r.client_due_at) }),
    ...(r.planned_end_at && { plannedEndAt: iso(r.planned_end_at) }),
    endsAfterClientDate: endsAfterClientDate({ stage: r.stage, clientDueAt: iso(r.client_due_at), plannedEndAt: iso(r.planned_end_at) }),
    overdue: r.overdue,
    ...(r.stage_entered_at && { stageEnteredAt: iso(r.stage_entered_at) }),
    hasOpenComplaint: r.has_open_complaint,
    ...(r.complaint_due_at && { complaintDueAt: iso(r.complaint_due_at) }),
    ...(r.refund_due_at && { refundDueAt: iso(r.refund_due_at) }),
    ...(r.payment_due_at && { paymentDueAt: iso(r.payment_due_at) }),
    ...(r.invoices && owedOn(r.invoices, r.currency)),
    invoiced: netInvoiced,
    paid: netPaid,
    currency: r.currency,
    deliveriesToReview: r.deliveries_to_review,
    planSentBack: r.plan_sent_back,
    ...(r.changes_asked_at && { changesAskedAt: iso(r.changes_asked_at) }),
    // Derived from the snapshot: the workflow returns once the project is completed, or cancelled with nothing owed.
    executionStatus: r.closed ? 'COMPLETED' : 'RUNNING',
    startedAt: iso(r.intake_at)!,
    href: `/api/projects/${r.project_id}`,
  };
}

/** `amountOwed` when the client owes anything; `refundOwed` when the agency owes the client a refund. */
function owedOn(invoices: InvoiceLike[], currency: string): Pick<ProjectListItem, 'amountOwed' | 'refundOwed'> {
  const owed = amountOwed(invoices, currency);
  // The credit notes that give the row its `refundDueAt`.
  const refund = amountOwed(invoices, currency, 'agency');
  return { ...(owed > 0 && { amountOwed: owed }), ...(refund > 0 && { refundOwed: refund }) };
}

/** A listed task is overdue while it is still to be done (open or claimed) past its due date: `listTasks`'s SQL says the same. */
export function taskOverdue(item: Pick<TaskListItem, 'status' | 'dueAt'>, now: Date): boolean {
  return (item.status === 'open' || item.status === 'claimed') && item.dueAt !== undefined && Date.parse(item.dueAt) < now.getTime();
}

/** A task list's page with each item's overdue flag as of `now` (a page held in memory was read up to a second ago). */
export function overdueAsOf(page: Page<TaskListItem>, now: Date): Page<TaskListItem> {
  if (page.items.every((item) => item.overdue === taskOverdue(item, now))) return page;
  return { ...page, items: page.items.map((item) => ({ ...item, overdue: taskOverdue(item, now) })) };
}

function taskListItem(r: TaskListRow): TaskListItem {
  return {
    taskId: r.task_id,
    projectId: r.project_id,
    title: r.title,
    projectTitle: r.project_title,
    department: r.department,
    status: r.status,
    ...(r.assignee_id !== null && { assigneeId: r.assignee_id }),
    managerId: r.manager_id,
    dueAt: iso(r.due_at),
    overdue: r.overdue,
    reviewRounds: Number(r.review_rounds),
    ...(r.waiting_for !== null && { waitingFor: r.waiting_for }),
    ...(r.client_name !== null && { clientName: r.client_name }),
    ...(r.submitted_at !== null && { submittedAt: iso(r.submitted_at) }),
    ...(r.accepted_at !== null && { acceptedAt: iso(r.accepted_at) }),
    executionStatus: r.status === 'accepted' || r.status === 'cancelled' ? 'COMPLETED' : 'RUNNING',
    href: `/api/tasks/${r.task_id}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Opening the store for a process
// ---------------------------------------------------------------------------------------------

/** `postgres://user@host:5432/db` without the password, for logs. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Opens the store and brings its schema up to date, retrying with backoff while the database does
 * not answer (it may still be starting): one clear error line, then a line when it answers.
 */
export async function openReportingStore(options: {
  url: string;
  password?: string;
  schema: string;
  logger: Logger;
  signal?: AbortSignal;
}): Promise<ReportingStore> {
  const where = describeDatabaseUrl(options.url);
  const store = await retryWithBackoff(
    () => ReportingStore.open({ url: options.url, password: options.password, schema: options.schema, logger: options.logger }),
    {
    log: options.logger,
      what: `Opening the reporting store at ${where} (schema ${options.schema})`,
      signal: options.signal,
    },
  );
  options.logger.info({ database: where, schema: options.schema }, 'reporting store ready');
  return store;
}
