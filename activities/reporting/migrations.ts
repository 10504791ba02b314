/**
 * The reporting store's schema, as numbered migrations applied in order and recorded in
 * `<schema>.schema_migrations`. The same migrations run on PGlite and on PostgreSQL.
 *
 * Safe when several processes start at once (the API and the worker of the compose stack): all of
 * it runs in one transaction that first takes an advisory lock on the schema's name, so the second
 * process waits, then finds everything applied. (On PGlite every connection shares one session and
 * the lock is re-entrant, but pglite-socket runs one connection's transaction at a time, which
 * gives the same exclusion.) Migrations only ever add: a released migration is never edited.
 */
import { COMPLAINT_RESOLUTION_DEFAULT_MS } from '../../workflows/project/state';
import { schemaIdentifier, sql, type Database, type Sql } from './sql';

export interface Migration {
  version: number;
  name: string;
  /** Statements, with `s` the schema to qualify every table with. */
  up(s: Sql): Sql[];
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'snapshots, facts and sales targets',
    up: (s) => [
      // The newest snapshot of each project, with the columns lists and reports filter on.
      sql`CREATE TABLE ${s}.projects (
        project_id text PRIMARY KEY,
        seq bigint NOT NULL,
        snapshot_version integer,
        published_at timestamptz NOT NULL,
        snapshot jsonb NOT NULL,
        title text NOT NULL,
        client_id text NOT NULL,
        client_name text NOT NULL,
        segment text NOT NULL,
        manager_id text NOT NULL,
        stage text NOT NULL,
        stage_entered_at timestamptz,
        intake_at timestamptz NOT NULL,
        due_at timestamptz,
        pending_due_at timestamptz,
        payment_due_at timestamptz,
        has_open_complaint boolean NOT NULL,
        closed boolean NOT NULL,
        currency text NOT NULL,
        departments text[] NOT NULL
      )`,
      sql`CREATE INDEX projects_list ON ${s}.projects (intake_at DESC, project_id DESC)`,
      sql`CREATE INDEX projects_manager ON ${s}.projects (manager_id, intake_at DESC, project_id DESC)`,
      sql`CREATE INDEX projects_client ON ${s}.projects (client_id)`,
      sql`CREATE INDEX projects_stage ON ${s}.projects (stage, stage_entered_at)`,
      sql`CREATE INDEX projects_published ON ${s}.projects (published_at)`,
      // The newest view of each task.
      sql`CREATE TABLE ${s}.tasks (
        task_id text PRIMARY KEY,
        project_id text NOT NULL,
        seq bigint NOT NULL,
        snapshot_version integer,
        published_at timestamptz NOT NULL,
        view jsonb NOT NULL,
        title text NOT NULL,
        project_title text NOT NULL,
        department text NOT NULL,
        status text NOT NULL,
        assignee_id text,
        manager_id text NOT NULL,
        due_at timestamptz NOT NULL,
        estimate_hours double precision NOT NULL,
        revision_round integer
      )`,
      sql`CREATE INDEX tasks_inbox ON ${s}.tasks (department, status, due_at, task_id)`,
      sql`CREATE INDEX tasks_due ON ${s}.tasks (due_at, task_id)`,
      sql`CREATE INDEX tasks_project ON ${s}.tasks (project_id)`,
      sql`CREATE INDEX tasks_manager ON ${s}.tasks (manager_id, status)`,
      sql`CREATE INDEX tasks_assignee ON ${s}.tasks (assignee_id) WHERE assignee_id IS NOT NULL`,
      sql`CREATE INDEX tasks_published ON ${s}.tasks (published_at)`,
      // Business facts derived from snapshots: append-only, one row per stable fact id.
      sql`CREATE TABLE ${s}.facts (
        fact_id text PRIMARY KEY,
        kind text NOT NULL,
        project_id text NOT NULL,
        task_id text,
        manager_id text NOT NULL,
        department text,
        person_id text,
        ref text,
        at timestamptz NOT NULL,
        ref_at timestamptz,
        amount numeric(20, 4),
        currency text,
        value double precision,
        label text,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`,
      sql`CREATE INDEX facts_kind_at ON ${s}.facts (kind, at)`,
      sql`CREATE INDEX facts_project ON ${s}.facts (project_id)`,
      sql`CREATE INDEX facts_ref ON ${s}.facts (ref, kind) WHERE ref IS NOT NULL`,
      // Leadership's sales plan: one target per manager and period.
      sql`CREATE TABLE ${s}.sales_targets (
        manager_id text NOT NULL,
        period text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        currency text NOT NULL,
        amount numeric(20, 4) NOT NULL,
        set_by text NOT NULL,
        set_at timestamptz NOT NULL,
        PRIMARY KEY (manager_id, period)
      )`,
    ],
  },
  {
    version: 2,
    name: 'mail sent-log',
    up: (s) => [
      // Which (notice, recipient) pairs the mail server accepted: shared by every worker, on any
      // machine, so a retried notice skips whoever an earlier attempt reached.
      sql`CREATE TABLE ${s}.mail_sent (
        entry text PRIMARY KEY,
        idempotency_key text NOT NULL,
        recipient text NOT NULL,
        message_id text NOT NULL,
        sent_at timestamptz NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: 'portal sessions',
    up: (s) => [
      // Signed-in browsers, shared by every API process and kept across restarts. Keyed by the
      // digest of the cookie value: what is stored cannot be replayed as a cookie.
      sql`CREATE TABLE ${s}.portal_sessions (
        id_digest text PRIMARY KEY,
        person_id text NOT NULL,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
      sql`CREATE INDEX portal_sessions_expiry ON ${s}.portal_sessions (expires_at)`,
    ],
  },
  {
    version: 4,
    name: 'task review rounds',
    up: (s) => [
      // Task lists say how often a task was sent back (the inbox's "Sent back") without reading
      // each row's view; rows stored before take it from their view once, here.
      sql`ALTER TABLE ${s}.tasks ADD COLUMN review_rounds integer NOT NULL DEFAULT 0`,
      sql`UPDATE ${s}.tasks SET review_rounds = (view->>'reviewRounds')::int WHERE (view->>'reviewRounds')::int > 0`,
    ],
  },
  {
    version: 5,
    name: 'action idempotency keys',
    up: (s) => [
      // What each Idempotency-Key of an action was first sent with: Temporal answers a repeated
      // update id with the first outcome whatever the arguments, so a key reused for another
      // request is told apart here (api/validation.ts, refuseReusedKey).
      sql`CREATE TABLE ${s}.action_requests (
        update_id text PRIMARY KEY,
        fingerprint text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      sql`CREATE INDEX action_requests_age ON ${s}.action_requests (created_at)`,
    ],
  },
  {
    version: 6,
    name: 'set-off facts by position',
    up: (s) => [
      // Set-off facts were first keyed by the two invoices (`set-off:<invoice>:<credit note>`), which
      // an undone set-off repeats; now by position (`set-off:<invoice>:<n>`). Facts are inserted
      // once and never rewritten, so the old ones go, or the new ones would count a set-off twice.
      sql`DELETE FROM ${s}.facts WHERE kind = 'set_off' AND fact_id !~ '^set-off:[^:]+:[0-9]+$'`,
    ],
  },
  {
    version: 7,
    name: 'complaint and refund due dates; cancelled projects owing a refund are open',
    up: (s) => [
      // The portfolio's cards flag an open complaint past its resolution time and a refund owed
      // from the list's own rows. Rows stored before get both from their snapshot once, here (new
      // rows: `projectRow`).
      sql`ALTER TABLE ${s}.projects ADD COLUMN complaint_due_at timestamptz, ADD COLUMN refund_due_at timestamptz`,
      sql`UPDATE ${s}.projects SET complaint_due_at = (
          SELECT min((c->>'at')::timestamptz) FROM jsonb_array_elements(coalesce(snapshot->'complaints', '[]'::jsonb)) c
          WHERE c->>'resolvedAt' IS NULL)
        + coalesce((snapshot->'policy'->>'complaintResolutionMs')::bigint, ${COMPLAINT_RESOLUTION_DEFAULT_MS}) * interval '1 millisecond'
        WHERE has_open_complaint`,
      sql`UPDATE ${s}.projects SET refund_due_at = (
          SELECT min((i->>'dueAt')::timestamptz) FROM jsonb_array_elements(coalesce(snapshot->'invoices', '[]'::jsonb)) i
          WHERE i->>'kind' = 'credit_note'
            -- Snapshots from before invoices had a status: open while less was paid out than it says (as \`invoiceStatus\`).
            AND (i->>'status' = 'open' OR (i->>'status' IS NULL AND (i->>'paidAmount')::numeric < (i->>'amount')::numeric)))`,
      // A cancelled project was counted closed once the client owed nothing, though its workflow
      // runs on until the agency has paid back what it owes.
      sql`UPDATE ${s}.projects SET closed = false WHERE closed AND stage = 'cancelled' AND refund_due_at IS NOT NULL`,
    ],
  },
  {
    version: 8,
    name: 'shared secrets',
    up: (s) => [
      // Secrets every API process must agree on without configuring them (the key that signs the
      // clients' links): made once by whichever process first needs one.
      sql`CREATE TABLE ${s}.secrets (
        name text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
  {
    version: 9,
    name: 'client link generations',
    up: (s) => [
      // A project's client link is renewed (the old one stops opening) by moving its generation on;
      // a project without a row is at generation 0, the link every project had before.
      sql`CREATE TABLE ${s}.client_links (
        project_id text PRIMARY KEY,
        generation integer NOT NULL CHECK (generation > 0),
        -- The Idempotency-Key of the renewal that made this generation: its retry gets the same answer.
        renewal_key text,
        renewed_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
  {
    version: 10,
    name: 'client due dates and planned ends of projects',
    up: (s) => [
      // The portfolio's cards say when the client wants the work and when the plan ends, and flag
      // a plan ending after the client's date, from the list's own rows. Rows stored before get
      // both from their snapshot once, here (new rows: `projectRow`, the same rule).
      sql`ALTER TABLE ${s}.projects ADD COLUMN client_due_at timestamptz, ADD COLUMN planned_end_at timestamptz`,
      sql`UPDATE ${s}.projects SET client_due_at = (snapshot->>'desiredDeadline')::timestamptz,
        planned_end_at = coalesce(
          (SELECT max((t->>'dueAt')::timestamptz) FROM jsonb_array_elements(coalesce(snapshot->'tasks', '[]'::jsonb)) t
            WHERE t->>'status' IS DISTINCT FROM 'cancelled'),
          (SELECT max((t->>'dueAt')::timestamptz)
            FROM jsonb_array_elements(coalesce(snapshot->'plans', '[]'::jsonb)) v, jsonb_array_elements(coalesce(v->'tasks', '[]'::jsonb)) t
            WHERE (v->>'version')::int = (snapshot->>'approvedPlanVersion')::int))`,
    ],
  },
  {
    version: 11,
    name: 'client names and delivery and acceptance times of tasks',
    up: (s) => [
      // A person's accepted work (the staff inbox's Accepted tab) lists each task with its client
      // and when it was delivered and accepted, newest accepted first, from the list's own rows.
      // Rows stored before get them from their view once, here (new rows: `taskRow`).
      sql`ALTER TABLE ${s}.tasks ADD COLUMN client_name text, ADD COLUMN submitted_at timestamptz, ADD COLUMN accepted_at timestamptz`,
      sql`UPDATE ${s}.tasks SET client_name = view->>'clientName', submitted_at = (view->>'submittedAt')::timestamptz,
        accepted_at = (view->>'acceptedAt')::timestamptz`,
      sql`CREATE INDEX tasks_accepted ON ${s}.tasks (assignee_id, accepted_at DESC, task_id DESC) WHERE status = 'accepted'`,
    ],
  },
  {
    version: 12,
    name: 'documents',
    up: (s) => [
      // The PDFs themselves, when DOCUMENTS_STORE=database (activities/documents/database-store.ts):
      // shared by every worker and API process without a shared disk, and in every backup.
      sql`CREATE TABLE ${s}.documents (
        document_id text PRIMARY KEY,
        project_id text NOT NULL,
        metadata jsonb NOT NULL,
        bytes bytea NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      sql`CREATE INDEX documents_by_project ON ${s}.documents (project_id)`,
    ],
  },
  {
    version: 13,
    name: 'mail preferences',
    up: (s) => [
      // Whether a person gets a weekly digest (activities/mail/digest-mail.ts): a row only once
      // they changed it (no row: they get it), with who changed it last (the person in the portal,
      // or `mail-link` for the link in the mail) and when.
      sql`CREATE TABLE ${s}.mail_preferences (
        person_id text NOT NULL,
        digest text NOT NULL,
        receives boolean NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (person_id, digest)
      )`,
    ],
  },
  {
    version: 14,
    name: 'credit notes giving back an overpayment',
    up: (s) => [
      // A credit note giving back what the client paid beyond an invoice is not money taken off
      // what was invoiced (kpis.ts, CREDITED): its fact says so by its label (facts.ts,
      // OVERPAYMENT_CREDIT_NOTE). Facts stored before carry the invoice kind; those the project's
      // stored snapshot lists in an invoice's `excessCreditedBy` get the label once, here (new
      // facts: `projectFacts`, and the publish relabels one stored before a snapshot listed it).
      sql`UPDATE ${s}.facts f SET label = 'overpayment'
        FROM ${s}.projects p
        WHERE f.kind = 'credit_note' AND f.project_id = p.project_id AND f.label IS DISTINCT FROM 'overpayment'
          AND EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(p.snapshot->'invoices', '[]'::jsonb)) i
            WHERE jsonb_typeof(i->'excessCreditedBy') = 'array' AND i->'excessCreditedBy' @> jsonb_build_array(f.ref))`,
    ],
  },
  {
    version: 15,
    name: 'sessions the provider can end',
    up: (s) => [
      // A session single sign-on started keeps whom the provider signed in (`sub`) and in which of
      // its sessions (`sid`): its back-channel logout names them to end the portal's sessions too.
      // Sessions started before have neither and end as before (sign-out, expiry).
      sql`ALTER TABLE ${s}.portal_sessions ADD COLUMN provider_subject text, ADD COLUMN provider_sid text`,
      sql`CREATE INDEX portal_sessions_provider ON ${s}.portal_sessions (provider_subject, provider_sid) WHERE provider_subject IS NOT NULL`,
    ],
  },
];

/** Advisory lock key for a schema: per schema, so isolated test stores never wait on each other. */
const lockKey = (schema: string): Sql => sql`hashtext(${`agencyflow-reporting:${schema}`})`;

/** Applies what is missing; returns the versions applied by this call. */
export async function migrate(db: Database, schema: string, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  const s = schemaIdentifier(schema);
  return db.transaction(async (tx) => {
    await tx.rows(sql`SELECT pg_advisory_xact_lock(${lockKey(schema)})`);
    await tx.rows(sql`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.rows(
      sql`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const applied = new Set(
      (await tx.rows<{ version: number }>(sql`SELECT version FROM ${s}.schema_migrations`)).map((r) => Number(r.version)),
    );
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.up(s)) await tx.rows(statement);
      await tx.rows(sql`INSERT INTO ${s}.schema_migrations (version, name) VALUES (${migration.version}, ${migration.name})`);
      done.push(migration.version);
    }
    return done;
  });
}

/** The versions recorded in the schema (empty when it was never migrated). */
export async function appliedVersions(db: Database, schema: string): Promise<number[]> {
  const s = schemaIdentifier(schema);
  const exists = await db.rows<{ found: boolean }>(
    sql`SELECT to_regclass(${`${schema}.schema_migrations`}) IS NOT NULL AS found`,
  );
  if (!exists[0]?.found) return [];
  const rows = await db.rows<{ version: number }>(sql`SELECT version FROM ${s}.schema_migrations ORDER BY version`);
  return rows.map((r) => Number(r.version));
}

export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
