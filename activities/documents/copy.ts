/**
 * Copies every document of one store into another (`npm run documents:copy`): what an operator
 * runs before switching DOCUMENTS_STORE, so the documents already handed out (contracts, invoices,
 * acts, reports) are still served after the switch.
 *
 * Safe to run again, and beside a running worker: the target's first-writer-wins `put` keeps what
 * it holds, so a document already there (copied before, or produced there since) is counted, not
 * written twice. Nothing is deleted from the source. A document is copied only when its bytes are
 * the ones its metadata describes (size and SHA-256): a damaged file is reported, never spread.
 */
import { createHash } from 'node:crypto';
import type { DocumentMetadata, DocumentStore } from './store';

export interface CopyResult {
  projects: number;
  /** Written into the target by this run. */
  copied: number;
  /** The target already held the same document (same id and digest). */
  alreadyThere: number;
  /** Not copied, with why: the source's bytes do not match their metadata, or the target holds other bytes under the id. */
  failed: { documentId: string; reason: string }[];
}

export async function copyDocuments(
  from: DocumentStore,
  to: DocumentStore,
  options: { onDocument?: (metadata: DocumentMetadata, outcome: 'copied' | 'already there' | 'failed') => void } = {},
): Promise<CopyResult> {
  const result: CopyResult = { projects: 0, copied: 0, alreadyThere: 0, failed: [] };
  for (const projectId of await from.listProjects()) {
    result.projects += 1;
    for (const metadata of await from.listByProject(projectId)) {
      const outcome = await copyOne(from, to, metadata, result);
      options.onDocument?.(metadata, outcome);
    }
  }
  return result;
}

async function copyOne(from: DocumentStore, to: DocumentStore, metadata: DocumentMetadata, result: CopyResult): Promise<'copied' | 'already there' | 'failed'> {
  const fail = (reason: string) => {
    result.failed.push({ documentId: metadata.documentId, reason });
    return 'failed' as const;
  };
  const held = await to.get(metadata.documentId);
  if (held) {
    if (held.sha256 !== metadata.sha256) return fail(`the target holds other bytes under this id (SHA-256 ${held.sha256}, the source's ${metadata.sha256})`);
    result.alreadyThere += 1;
    return 'already there';
  }
  const bytes = await from.read(metadata.documentId);
  if (!bytes) return fail('its metadata is in the source but its file is not');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== metadata.size || sha256 !== metadata.sha256) {
    return fail(`its bytes in the source are not the ones its metadata describes (${bytes.length} bytes, SHA-256 ${sha256}; recorded ${metadata.size}, ${metadata.sha256})`);
  }
  // Everything the metadata says is kept: the id derives from project, kind and sequence, and
  // createdAt, number and the download name go along unchanged.
  const stored = await to.put(
    {
      projectId: metadata.projectId,
      kind: metadata.kind,
      sequence: metadata.sequence,
      ...(metadata.number !== undefined && { number: metadata.number }),
      createdAt: metadata.createdAt,
      fileName: metadata.fileName,
      contentType: metadata.contentType,
    },
    bytes,
  );
  // Another writer (a worker producing the same document) may have won the id in between.
  if (stored.sha256 !== metadata.sha256) return fail(`the target holds other bytes under this id (SHA-256 ${stored.sha256}, the source's ${metadata.sha256})`);
  result.copied += 1;
  return 'copied';
}
