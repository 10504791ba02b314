/**
 * Documents in the reporting database (DOCUMENTS_STORE=database): the PDFs and their metadata in
 * one table, so workers and API processes on several machines share them without a shared disk,
 * and a backup of the database holds them too. Same contract as the filesystem store: the first
 * writer of an id wins (INSERT … ON CONFLICT DO NOTHING, then the stored row is the answer), and
 * a row is whole or absent (one statement), so no reader sees half a document.
 */
import { Readable } from 'node:stream';
import { PROJECT_ID_PATTERN } from '../../workflows/project/contract';
import { sql, type Database, type Sql } from '../reporting/sql';
import { parseDocumentId } from './ids';
import { documentMetadata, type DocumentMetadata, type DocumentStore, type NewDocument } from './store';

export class DatabaseDocumentStore implements DocumentStore {
  constructor(
    private readonly db: Database,
    /** The store's schema, validated (`schemaIdentifier`). */
    private readonly s: Sql,
  ) {}

  async put(document: NewDocument, bytes: Buffer): Promise<DocumentMetadata> {
    const metadata = documentMetadata(document, bytes);
    const { documentId } = metadata;
    // Bytes travel as base64 text: the store sends every statement as one literal query (./sql.ts).
    const rows = await this.db.rows<{ metadata: DocumentMetadata }>(sql`
      WITH stored AS (
        INSERT INTO ${this.s}.documents (document_id, project_id, metadata, bytes, created_at)
        VALUES (${documentId}, ${document.projectId}, ${JSON.stringify(metadata)}::jsonb, decode(${bytes.toString('base64')}, 'base64'), now())
        ON CONFLICT (document_id) DO NOTHING RETURNING metadata
      )
      SELECT metadata FROM stored UNION ALL SELECT metadata FROM ${this.s}.documents WHERE document_id = ${documentId}`);
    // Written by another attempt in the same instant: its row committed after this statement began.
    return rows[0]?.metadata ?? (await this.get(documentId))!;
  }

  async get(documentId: string): Promise<DocumentMetadata | undefined> {
    if (!parseDocumentId(documentId)) return undefined;
    const rows = await this.db.rows<{ metadata: DocumentMetadata }>(sql`SELECT metadata FROM ${this.s}.documents WHERE document_id = ${documentId}`);
    return rows[0]?.metadata;
  }

  async read(documentId: string): Promise<Buffer | undefined> {
    if (!parseDocumentId(documentId)) return undefined;
    const rows = await this.db.rows<{ bytes: string }>(sql`SELECT encode(bytes, 'base64') AS bytes FROM ${this.s}.documents WHERE document_id = ${documentId}`);
    return rows[0] ? Buffer.from(rows[0].bytes, 'base64') : undefined;
  }

  async stream(documentId: string): Promise<Readable | undefined> {
    // A document is tens of kilobytes: read whole, then streamed as the filesystem store's are.
    const bytes = await this.read(documentId);
    return bytes ? Readable.from([bytes]) : undefined;
  }

  async listByProject(projectId: string): Promise<DocumentMetadata[]> {
    if (!PROJECT_ID_PATTERN.test(projectId)) return [];
    const rows = await this.db.rows<{ metadata: DocumentMetadata }>(sql`
      SELECT metadata FROM ${this.s}.documents WHERE project_id = ${projectId}
      ORDER BY metadata->>'createdAt' COLLATE "C", document_id COLLATE "C"`);
    return rows.map((r) => r.metadata);
  }

  async listProjects(): Promise<string[]> {
    const rows = await this.db.rows<{ project_id: string }>(sql`SELECT project_id FROM ${this.s}.documents GROUP BY project_id ORDER BY project_id COLLATE "C"`);
    return rows.map((r) => r.project_id);
  }
}
