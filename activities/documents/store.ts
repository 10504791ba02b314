/**
 * Where produced documents live. Only ids travel through workflow history; the bytes stay here,
 * and the API serves them from here.
 *
 * Two stores are built: files under DOCUMENTS_DIR (below) and the reporting database's table
 * (./database-store.ts, DOCUMENTS_STORE=database). The interface is object-store shaped (put whole
 * objects, read by key, list by prefix) so an S3-compatible store could implement it too: key `<projectId>/<documentId>.pdf` with the
 * metadata as a sibling `.json` object (or object metadata), `put` as PutObject with
 * `If-None-Match: *` for first-writer-wins, `listByProject` as ListObjectsV2 on `<projectId>/`.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../../common/config';
import { PROJECT_ID_PATTERN, type DocumentKind } from '../../workflows/project/contract';
import { documentIdFor, parseDocumentId } from './ids';

export const PDF_CONTENT_TYPE = 'application/pdf';

export interface DocumentMetadata {
  documentId: string;
  kind: DocumentKind;
  /** The number printed on the document (invoice number, contract or act number). */
  number?: string;
  projectId: string;
  sequence: number;
  /** When the document was first stored; a retried produceDocument returns this unchanged. */
  createdAt: string;
  size: number;
  sha256: string;
  /** A download name for Content-Disposition. */
  fileName: string;
  contentType: string;
}

export interface NewDocument {
  projectId: string;
  kind: DocumentKind;
  sequence: number;
  number?: string;
  createdAt: string;
  fileName?: string;
  contentType?: string;
}

export interface DocumentStore {
  /**
   * Stores a document under its derived id. First writer wins: if the id is already stored, the
   * stored metadata is returned and the given bytes are dropped, so a later attempt cannot change
   * a document that was already handed out. Attempts racing on one id must carry the same bytes
   * (rendering is deterministic); the store keeps one record for them.
   */
  put(document: NewDocument, bytes: Buffer): Promise<DocumentMetadata>;
  /** Metadata, or undefined for an unknown (or malformed) id. */
  get(documentId: string): Promise<DocumentMetadata | undefined>;
  /** The whole file, or undefined for an unknown id. */
  read(documentId: string): Promise<Buffer | undefined>;
  /** The file as a stream (for HTTP responses), or undefined for an unknown id. */
  stream(documentId: string): Promise<Readable | undefined>;
  /** Every stored document of a project, oldest first. */
  listByProject(projectId: string): Promise<DocumentMetadata[]>;
  /** The projects with a document stored, in id order (for copying a store whole: ./copy.ts). */
  listProjects(): Promise<string[]>;
}

/** What every store records of a document: its id derived from it, its size and digest, its download name. */
export function documentMetadata(document: NewDocument, bytes: Buffer): DocumentMetadata {
  const documentId = documentIdFor(document);
  return {
    documentId,
    kind: document.kind,
    ...(document.number !== undefined && { number: document.number }),
    projectId: document.projectId,
    sequence: document.sequence,
    createdAt: document.createdAt,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    fileName: document.fileName ?? `${documentId}.pdf`,
    contentType: document.contentType ?? PDF_CONTENT_TYPE,
  };
}

/**
 * `<dir>/<projectId>/<documentId>.pdf` plus `<documentId>.json`. The PDF is renamed into place
 * first and the metadata last, so metadata never points at a missing or half-written file; a crash
 * between the two leaves an orphan PDF that the next attempt overwrites. A crash while a file is
 * being written leaves a `.tmp-…` file: the next write into the same project removes those older
 * than STALE_TEMP_MS (no write takes that long, so none still being written is touched).
 */
export class FilesystemDocumentStore implements DocumentStore {
  constructor(readonly dir: string) {}

  async put(document: NewDocument, bytes: Buffer): Promise<DocumentMetadata> {
    const documentId = documentIdFor(document);
    const existing = await this.get(documentId);
    if (existing) return existing;

    const metadata = documentMetadata(document, bytes);
    const projectDir = path.join(this.dir, document.projectId);
    await fs.promises.mkdir(projectDir, { recursive: true });
    await removeStaleTemps(projectDir);

    const pdfTmp = await writeTemp(projectDir, bytes);
    await fs.promises.rename(pdfTmp, this.pdfPath(document.projectId, documentId));

    // link() creates the name only if it does not exist: two racing writers cannot both win.
    const metaTmp = await writeTemp(projectDir, Buffer.from(`${JSON.stringify(metadata, null, 2)}\n`));
    try {
      await fs.promises.link(metaTmp, this.metadataPath(document.projectId, documentId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const winner = await this.get(documentId);
      if (winner) return winner;
      throw err;
    } finally {
      await fs.promises.rm(metaTmp, { force: true });
    }
    return metadata;
  }

  async get(documentId: string): Promise<DocumentMetadata | undefined> {
    const key = parseDocumentId(documentId);
    if (!key) return undefined;
    try {
      return JSON.parse(await fs.promises.readFile(this.metadataPath(key.projectId, documentId), 'utf8')) as DocumentMetadata;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async read(documentId: string): Promise<Buffer | undefined> {
    const metadata = await this.get(documentId);
    return metadata ? fs.promises.readFile(this.pdfPath(metadata.projectId, documentId)) : undefined;
  }

  async stream(documentId: string): Promise<Readable | undefined> {
    const metadata = await this.get(documentId);
    return metadata ? fs.createReadStream(this.pdfPath(metadata.projectId, documentId)) : undefined;
  }

  async listByProject(projectId: string): Promise<DocumentMetadata[]> {
    // The project id becomes a path: only well-formed ids get that far.
    if (!PROJECT_ID_PATTERN.test(projectId)) return [];
    let names: string[];
    try {
      names = await fs.promises.readdir(path.join(this.dir, projectId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const found = await Promise.all(
      names.filter((n) => n.endsWith('.json')).map((n) => this.get(n.slice(0, -'.json'.length))),
    );
    return found
      .filter((m): m is DocumentMetadata => m !== undefined)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.documentId.localeCompare(b.documentId));
  }

  async listProjects(): Promise<string[]> {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return entries
      .filter((e) => e.isDirectory() && PROJECT_ID_PATTERN.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  private pdfPath(projectId: string, documentId: string): string {
    return path.join(this.dir, projectId, `${documentId}.pdf`);
  }

  private metadataPath(projectId: string, documentId: string): string {
    return path.join(this.dir, projectId, `${documentId}.json`);
  }
}

/** Files being written (or left by a writer killed mid-write) start with this. */
export const TEMP_PREFIX = '.tmp-';
/** Ten minutes: a document write takes milliseconds. */
export const STALE_TEMP_MS = 10 * 60_000;

async function writeTemp(dir: string, bytes: Buffer): Promise<string> {
  const tmp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`);
  await fs.promises.writeFile(tmp, bytes, { flag: 'wx' });
  return tmp;
}

async function removeStaleTemps(dir: string, now = Date.now()): Promise<void> {
  for (const name of await fs.promises.readdir(dir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const file = path.join(dir, name);
    const stat = await fs.promises.stat(file).catch(() => undefined); // another writer may remove it first
    if (stat && now - stat.mtimeMs > STALE_TEMP_MS) await fs.promises.rm(file, { force: true });
  }
}

/**
 * The store the worker writes and the API reads: DOCUMENTS_DIR (default `<DATA_DIR>/documents`),
 * or with DOCUMENTS_STORE=database the reporting database's (`reporting.documents`).
 */
export function createDocumentStoreFromConfig(
  config: Pick<Config, 'documentsDir'> & Partial<Pick<Config, 'DOCUMENTS_STORE'>>,
  reporting?: { documents: DocumentStore },
): DocumentStore {
  if (config.DOCUMENTS_STORE !== 'database') return new FilesystemDocumentStore(config.documentsDir);
  if (!reporting) throw new Error('DOCUMENTS_STORE=database needs the reporting database');
  return reporting.documents;
}
