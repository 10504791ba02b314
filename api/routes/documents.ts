/**
 * Documents (contracts, invoices, acts, final reports): listed per project and downloaded as PDF
 * with a digest header, so a client can check the bytes it got are the bytes we stored. Access
 * follows the project: its manager or leadership.
 */
import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import type { DocumentMetadata } from '../../activities/documents/store';
import type { AppDeps } from '../app';
import { allow, caller } from '../auth';
import { forbidden, notFound } from '../errors';
import { STORED_SNAPSHOT_HEADER, storedCopy, workflowUnanswered } from '../snapshot-reads';
import { projectIdParam } from '../validation';

const DOCUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function createDocumentsRouter(deps: AppDeps): Router {
  const { temporal, documents } = deps;
  const router = Router();

  async function checkProjectAccess(req: Request, projectId: string): Promise<void> {
    const person = caller(req);
    const project = await temporal.describeProject(projectId);
    if (!project) throw notFound(`There is no project ${projectId}.`);
    if (person.role === 'leadership') return;
    if (person.role === 'manager' && project.managerId === person.id) return;
    throw forbidden(`Project ${projectId} is managed by someone else; managers see their own projects' documents.`);
  }

  router.get('/api/projects/:id/documents', allow('manager', 'leadership'), async (req, res) => {
    const projectId = projectIdParam(req);
    await checkProjectAccess(req, projectId);
    // The workflow's own list; its published copy when the workflow cannot answer (no worker, or
    // a history its worker cannot replay), as project reads do.
    const liveStatus = temporal.projectStatus(projectId).catch(async (err: unknown) => {
      if (workflowUnanswered(err)) {
        const copy = await storedCopy(() => deps.reporting.project(projectId), deps.logger, { projectId });
        if (copy) {
          res.setHeader(STORED_SNAPSHOT_HEADER, copy.publishedAt);
          return copy.value;
        }
      }
      throw err;
    });
    const [status, stored] = await Promise.all([liveStatus, documents.listByProject(projectId)]);
    const byId = new Map<string, DocumentMetadata>(stored.map((d) => [d.documentId, d]));
    const items = status.documents.map((ref) => {
      const meta = byId.get(ref.documentId);
      return {
        ...ref,
        ...(meta && { size: meta.size, sha256: meta.sha256 }),
        contentType: meta?.contentType ?? 'application/pdf',
        href: `/api/documents/${encodeURIComponent(ref.documentId)}`,
      };
    });
    res.json({ items });
  });

  router.get('/api/documents/:documentId', allow('manager', 'leadership'), async (req, res) => {
    const documentId = String(req.params.documentId);
    if (!DOCUMENT_ID.test(documentId)) throw notFound(`There is no document ${JSON.stringify(documentId)}.`);
    const meta = await documents.get(documentId);
    if (!meta) throw notFound(`There is no document ${documentId}.`);
    await checkProjectAccess(req, meta.projectId);
    const body = await documents.read(documentId);
    if (!body) throw notFound(`There is no document ${documentId}.`);
    // Digest of the bytes actually sent (PDFs are small; the store's own sha256 is for its records).
    const digest = createHash('sha256').update(body).digest('base64');
    const filename = (meta.fileName || `${meta.kind}${meta.number ? `-${meta.number}` : ''}.pdf`).replace(/[^A-Za-z0-9._-]/g, '_');
    res.setHeader('Content-Type', meta.contentType ?? 'application/pdf');
    res.setHeader('Content-Length', String(body.length));
    res.setHeader('Digest', `sha-256=${digest}`);
    res.setHeader('Repr-Digest', `sha-256=:${digest}:`);
    res.setHeader('ETag', `"${createHash('sha256').update(body).digest('hex')}"`);
    res.setHeader('Content-Disposition', `inline; filename="${filename}"`);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.end(req.method === 'HEAD' ? undefined : body);
  });

  return router;
}
