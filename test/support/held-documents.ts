/**
 * A document store that holds the papers a test picks: their `put` waits until the test lets
 * them go, so a workflow stays at the step that makes that paper (produceDocument renders it, then
 * stores it) — e.g. between the client's acceptance and the final invoice, while the acceptance
 * act is drawn up. Everything else goes straight to the real store, and a held paper goes there too
 * once released. Given to a test's own worker (the activities are built from their dependencies).
 */
import type { DocumentStore, NewDocument } from '../../activities/documents/store';

export interface DocumentHold {
  /** Resolves once a picked paper reached the store (the workflow is at that step, waiting). */
  reached: Promise<NewDocument>;
  /** Lets every held paper go to the real store, and stops holding. */
  release(): void;
}

export function holdingDocumentStore(real: DocumentStore): { store: DocumentStore; hold(which: (document: NewDocument) => boolean): DocumentHold } {
  let holding: { which: (document: NewDocument) => boolean; reached: (document: NewDocument) => void; released: Promise<void> } | undefined;
  const store: DocumentStore = {
    async put(document, bytes) {
      const now = holding;
      if (now && now.which(document)) {
        now.reached(document);
        await now.released;
      }
      return real.put(document, bytes);
    },
    get: (documentId) => real.get(documentId),
    read: (documentId) => real.read(documentId),
    stream: (documentId) => real.stream(documentId),
    listByProject: (projectId) => real.listByProject(projectId),
    listProjects: () => real.listProjects(),
  };
  return {
    store,
    hold(which) {
      let reached!: (document: NewDocument) => void;
      let release!: () => void;
      const reachedAt = new Promise<NewDocument>((resolve) => (reached = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holding = { which, reached, released };
      return {
        reached: reachedAt,
        release() {
          holding = undefined;
          release();
        },
      };
    },
  };
}
