/**
 * produceDocument: renders a project's paper (contract, invoices, act, final report) and stores
 * it. Idempotent on (projectId, kind, sequence): a retry, or a workflow replaying its way back to
 * the same step, gets the stored document's ref, never a second rendering.
 */
import type { Logger } from '../common/logger';
import type { PeopleDirectory } from '../common/people';
import { ErrorType, businessFailure } from '../workflows/errors';
import type { DocumentRef } from '../workflows/project/contract';
import type { ProduceDocumentInput, ProjectActivities } from './contract';
import { documentIdFor } from './documents/ids';
import { DocumentInputError, renderDocument, type AgencyDetails } from './documents/pdf';
import type { DocumentMetadata, DocumentStore } from './documents/store';
import { activityLogger } from './log';

export interface DocumentActivityDeps {
  store: DocumentStore;
  logger: Logger;
  agency: AgencyDetails;
  /** Prints names instead of ids for managers, assignees and approvers when given. */
  people?: PeopleDirectory;
}

export function createDocumentActivities(deps: DocumentActivityDeps): Pick<ProjectActivities, 'produceDocument'> {
  return {
    async produceDocument(input: ProduceDocumentInput): Promise<DocumentRef> {
      const log = activityLogger(deps.logger, { projectId: input.projectId, documentKind: input.kind, sequence: input.sequence });
      let documentId: string;
      try {
        if (input.snapshot.projectId !== input.projectId) {
          throw new DocumentInputError(`snapshot of project ${input.snapshot.projectId} given for project ${input.projectId}`);
        }
        documentId = documentIdFor(input);
      } catch (err) {
        // Bad input stays bad on every retry: fail once, clearly.
        throw businessFailure(ErrorType.InvalidInput, (err as Error).message);
      }

      const existing = await deps.store.get(documentId);
      if (existing) {
        log.info({ documentId }, 'document already produced; returning it unchanged');
        return toRef(existing);
      }

      let rendered;
      try {
        rendered = await renderDocument(input, {
          agency: deps.agency,
          personName: deps.people ? (id) => deps.people?.nameOf(id) : undefined,
          personEmail: deps.people ? (id) => deps.people?.get(id)?.email : undefined,
        });
      } catch (err) {
        if (err instanceof DocumentInputError) throw businessFailure(ErrorType.InvalidInput, err.message);
        throw err;
      }
      const metadata = await deps.store.put(
        {
          projectId: input.projectId,
          kind: input.kind,
          sequence: input.sequence,
          number: rendered.number,
          createdAt: new Date().toISOString(),
          fileName: rendered.fileName,
        },
        rendered.bytes,
      );
      log.info({ documentId, number: metadata.number, size: metadata.size, sha256: metadata.sha256 }, 'document produced');
      return toRef(metadata);
    },
  };
}

function toRef(metadata: DocumentMetadata): DocumentRef {
  return {
    documentId: metadata.documentId,
    kind: metadata.kind,
    ...(metadata.number !== undefined && { number: metadata.number }),
    createdAt: metadata.createdAt,
  };
}
