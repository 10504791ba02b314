/**
 * The worker's activities, composed from one factory per domain. Dependencies come in from the
 * outside (real ones from config here; tests build theirs from a temp dir, a local SMTP server
 * and the test Temporal), so no activity reaches for globals.
 */
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { followedPeopleFile, type PeopleDirectory } from '../common/people';
import type { DigestActivities, ProjectActivities } from './contract';
import { createDocumentActivities } from './documents';
import { agencyDetailsFromConfig, type AgencyDetails } from './documents/pdf';
import { ClientLinks, type ClientLinkStore } from '../common/client-links';
import { createDocumentStoreFromConfig, type DocumentStore } from './documents/store';
import { createHandoverActivities } from './handover';
import { createDigestActivities } from './digest';
import { createInvoiceNumberActivities } from './invoice-numbers';
import { createMailerFromConfig, type Mailer } from './mail/mailer';
import type { SentLog } from './mail/sent-log';
import { createNotificationActivities, type NotificationActivityDeps } from './notifications';
import { UnsubscribeLinks } from './mail/digest-mail';
import type { ReportingStore } from './reporting/store';
import { createSnapshotActivities } from './snapshots';

export interface ActivityDeps {
  /** For the invoice-number entity workflow (update-with-start) and a manager's handover (each project's update). */
  client: Client;
  logger: Logger;
  /** The task queue the invoice-number workflow is started on. */
  taskQueue: string;
  store: DocumentStore;
  mailer: Mailer;
  /** Which (idempotency key, recipient) pairs were already mailed. */
  sentLog: SentLog;
  people: PeopleDirectory;
  /** The reporting store the workflows publish their snapshots to (its own lifecycle: the caller opens and closes it). */
  reporting: Pick<ReportingStore, 'publish' | 'portfolio' | 'listProjects' | 'listTasks' | 'overloadedPeople' | 'workHolders'>;
  /** WORKLOAD_OVERLOAD_HOURS: leadership's digest names who has more work in hand than this. */
  overloadHours: number;
  agency: AgencyDetails;
  /** The portal's address: staff notices link to `${publicBaseUrl}/tasks/<id>`, `/projects/<id>`, `/approvals`. */
  publicBaseUrl: string;
  /** The client's links to their project's page, which client notices carry (none when absent). */
  clientLinks?: Pick<ClientLinks, 'current'>;
  escalationEmail?: string;
  invoiceNumberWorkflowIdPrefix?: string;
  /** Who stopped which weekly digest, and the links in a digest that stop it (none: every digest to all its readers). */
  digestMail?: NotificationActivityDeps['digestMail'];
}

export function createActivities(deps: ActivityDeps): ProjectActivities & DigestActivities {
  return {
    ...createNotificationActivities(deps),
    ...createInvoiceNumberActivities(deps),
    ...createDocumentActivities(deps),
    ...createSnapshotActivities({ client: deps.client, logger: deps.logger, snapshots: deps.reporting }),
    ...createHandoverActivities(deps),
    ...createDigestActivities(deps),
  };
}

export async function createActivityDepsFromConfig(
  config: Config,
  base: {
    client: Client;
    logger: Logger;
    reporting: Pick<ReportingStore, 'publish' | 'sentMail' | 'documents' | 'portfolio' | 'listProjects' | 'listTasks' | 'overloadedPeople' | 'workHolders' | 'stoppedDigest'> & ClientLinkStore;
  },
): Promise<ActivityDeps> {
  // Unwritable directories fail the start, not the first invoice hours later.
  await fs.promises.mkdir(config.documentsDir, { recursive: true });
  return {
    ...base,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    store: createDocumentStoreFromConfig(config, base.reporting),
    mailer: createMailerFromConfig(config, base.logger),
    // In the reporting database: every worker, on any machine, sees who was already mailed.
    sentLog: base.reporting.sentMail,
    // Kept in step with its file; `runWorker`'s stop ends that.
    people: followedPeopleFile(config, base.logger),
    agency: agencyDetailsFromConfig(config),
    publicBaseUrl: config.publicBaseUrl,
    overloadHours: config.WORKLOAD_OVERLOAD_HOURS,
    // The same links the API opens (one secret in the reporting store): client mails carry them.
    // The secret is read for each mail: a link in a mail is made with the secret as it is then.
    clientLinks: new ClientLinks(base.reporting, config.publicBaseUrl, 0),
    escalationEmail: config.ESCALATION_EMAIL,
    // The digests leave out who stopped them, and carry the links that stop them (the API reads
    // those links with the same secret). The secret is read for each mail, as for client links.
    digestMail: { preferences: base.reporting, links: new UnsubscribeLinks(base.reporting, config.publicBaseUrl, 0) },
  };
}

export type { DocumentMetadata, DocumentStore, NewDocument } from './documents/store';
export { FilesystemDocumentStore, createDocumentStoreFromConfig } from './documents/store';
export { documentIdFor, parseDocumentId } from './documents/ids';
export type { AgencyDetails } from './documents/pdf';
export type { Mailer } from './mail/mailer';
export { FileSentLog, sentLogEntryName, type SentLog } from './mail/sent-log';
export { ReportingStore } from './reporting/store';
