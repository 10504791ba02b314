/**
 * POST /api/managers/:id/handover — every running project of one manager (or the ones named) to
 * another, at once: a manager leaving, or away for weeks. Leadership may hand over anyone's; a
 * manager their own. The projects are chosen here from the reporting store; a workflow of its own
 * (workflows/manager-handover) then hands each over through the project's own handover update, so
 * each project decides as for a handover of it alone, and the handover ends even if this process
 * does not. Its answer says, project by project, what happened.
 */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../app';
import { actorOf, caller } from '../auth';
import { badRequest, forbidden } from '../errors';
import { answerOfEarlierRun, runForAnswer, type RequestRun } from '../request-runs';
import type { PendingWrites } from '../snapshot-reads';
import { parseBody, refuseReusedKey, updateIdFor } from '../validation';
import { managerHandoverRequestSchema, MAX_PROJECTS_PER_HANDOVER, type ManagerHandoverInput, type ManagerHandoverResult } from '../../workflows/manager-handover/schemas';
import { MANAGER_HANDOVER_WORKFLOW_TYPE, managerHandoverWorkflowId } from '../../workflows/manager-handover/contract';

const LIST_PAGE = 200;
/** How long the answer waits for one project's snapshot to reach the store. */
const STORE_WITHIN_MS = 5_000;

/** The manager taking a project over must be a manager in the people directory (the workflow has none). */
export function refuseUnlessManager(people: AppDeps['people'], toManagerId: string): void {
  const to = people.get(toManagerId);
  if (!to) throw badRequest([{ field: 'toManagerId', message: `nobody with id "${toManagerId}" in the people directory` }]);
  if (to.role !== 'manager') throw badRequest([{ field: 'toManagerId', message: `${to.name} is ${to.role === 'staff' ? 'department staff' : to.role}, not a manager` }]);
}

export function managerHandover(deps: AppDeps, storeWrites: PendingWrites): RequestHandler {
  const { temporal } = deps;

  async function storeSnapshot(projectId: string, by: string): Promise<void> {
    const write = temporal
      .projectStatus(projectId, { timeoutMs: STORE_WITHIN_MS })
      .then((snapshot) => deps.reporting.publish({ kind: 'project', projectId, seq: snapshot.version, snapshot }));
    storeWrites.track(by, { projectId }, write);
    await write.catch(() => undefined); // logged by track; the workflow's own publish follows
  }

  /** The manager's running projects, as the store has them after the caller's own last actions. */
  async function runningProjectsOf(managerId: string, person: string): Promise<ManagerHandoverInput['projects']> {
    await storeWrites.settled(person);
    const running: ManagerHandoverInput['projects'] = [];
    let pageToken: string | undefined;
    do {
      const page = await deps.reporting.listProjects({ managerId }, { pageSize: LIST_PAGE, pageToken });
      for (const p of page.items) {
        if (p.executionStatus === 'RUNNING') running.push({ projectId: p.projectId, ...(p.title && { title: p.title }), ...(p.clientName && { clientName: p.clientName }) });
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined && running.length <= MAX_PROJECTS_PER_HANDOVER);
    return running;
  }

  return async (req: Request, res: Response): Promise<void> => {
    const person = caller(req);
    const fromManagerId = String(req.params.id);
    if (person.role === 'manager' && fromManagerId !== person.id) throw forbidden('Managers hand over their own projects only; leadership may hand over anyone\u2019s.');
    const body = parseBody(managerHandoverRequestSchema, req);
    const { toManagerId, note, projectIds } = body;
    // The one taking over is checked as for one project. The one handing over need not be in the
    // directory any more: a manager who left is the usual reason for this.
    refuseUnlessManager(deps.people, toManagerId);
    if (toManagerId === fromManagerId) throw badRequest([{ field: 'toManagerId', message: 'that is the manager handing over; choose someone else' }]);

    const keyed = updateIdFor(req, person, 'managerHandover', fromManagerId);
    const handoverId = keyed ?? randomUUID();
    const run: RequestRun = {
      workflowId: managerHandoverWorkflowId(handoverId),
      doing: 'hand the projects over',
      goesOn:
        'The handover was not finished within a minute; it goes on (Temporal has it). Send the same request with the same ' +
        'Idempotency-Key for its answer, or look at the projects.',
    };
    const log = deps.logger.child({ handoverId, fromManagerId, toManagerId });
    await refuseReusedKey(deps.reporting, keyed, body, log);
    // The same key again: the first request's handover, whatever the store shows since.
    const earlier = keyed === undefined ? undefined : await answerOfEarlierRun<ManagerHandoverResult>(temporal, run);
    if (earlier) {
      res.json(earlier);
      return;
    }

    const running = await runningProjectsOf(fromManagerId, person.id);
    const fromName = deps.people.nameOf(fromManagerId) ?? fromManagerId;
    let projects = running;
    if (projectIds !== undefined) {
      const theirs = new Map(running.map((p) => [p.projectId, p]));
      const problems = projectIds.flatMap((id, i) => (theirs.has(id) ? [] : [{ field: `projectIds.${i}`, message: `${id} is not one of ${fromName}'s running projects` }]));
      if (problems.length > 0) throw badRequest(problems);
      projects = [...new Set(projectIds)].map((id) => theirs.get(id)!);
    }
    if (projects.length === 0) throw badRequest([{ field: 'id', message: `${fromName} has no running project to hand over` }]);
    if (projects.length > MAX_PROJECTS_PER_HANDOVER) {
      throw badRequest([{ field: 'projectIds', message: `${fromName} has more than ${MAX_PROJECTS_PER_HANDOVER} running projects; hand them over in parts (projectIds)` }]);
    }

    const input: ManagerHandoverInput = { handoverId, fromManagerId, toManagerId, ...(note && { note }), by: actorOf(person, req.requestId), projects };
    log.info({ projects: projects.length }, 'handover starting');
    const answer = await runForAnswer<ManagerHandoverResult>(temporal, run, {
      workflowType: MANAGER_HANDOVER_WORKFLOW_TYPE,
      args: [input],
      staticSummary: `${projects.length} project(s) from ${fromManagerId} to ${toManagerId}`,
    });
    // Each project's new snapshot into the store before answering: the next read or list, in any
    // API process, names the new manager (who may open the project at once). A project that does
    // not answer in time is left to publish it itself, a moment later.
    await Promise.all(answer.projects.filter((p) => p.outcome === 'handed_over').map((p) => storeSnapshot(p.projectId, person.id)));
    res.json(answer);
  };
}
