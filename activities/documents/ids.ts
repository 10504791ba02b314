/**
 * Document ids are derived from the business key (project, kind, sequence), so a retried
 * produceDocument finds the document an earlier attempt stored, and the id alone locates the file.
 */
import { PROJECT_ID_PATTERN } from '../../workflows/project/contract';
import { DOCUMENT_KINDS, type DocumentKind } from '../../workflows/vocabulary';

export interface DocumentKey {
  projectId: string;
  kind: DocumentKind;
  sequence: number;
}

export function documentIdFor({ projectId, kind, sequence }: DocumentKey): string {
  if (!PROJECT_ID_PATTERN.test(projectId)) throw new Error(`invalid project id for a document: "${projectId}"`);
  if (!(DOCUMENT_KINDS as readonly string[]).includes(kind)) throw new Error(`unknown document kind "${kind}"`);
  if (!Number.isInteger(sequence) || sequence < 1) throw new Error(`document sequence must be a positive integer, got ${sequence}`);
  return `doc-${projectId}-${kind}-${sequence}`;
}

// Kinds contain no dash, so an id splits unambiguously from the right even though project ids
// contain dashes: `doc-acme-site-final_invoice-1` is (acme-site, final_invoice, 1).
const DOCUMENT_ID_PATTERN = new RegExp(`^doc-(.+)-(${DOCUMENT_KINDS.join('|')})-([1-9][0-9]{0,8})$`);

/**
 * The key inside a document id, or undefined for anything else. The API passes user input here,
 * so only ids we could have produced pass (no path separators, no `..`).
 */
export function parseDocumentId(documentId: string): DocumentKey | undefined {
  const match = DOCUMENT_ID_PATTERN.exec(documentId);
  if (!match || !PROJECT_ID_PATTERN.test(match[1])) return undefined;
  return { projectId: match[1], kind: match[2] as DocumentKind, sequence: Number(match[3]) };
}
