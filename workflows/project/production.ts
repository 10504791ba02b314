/**
 * The departments' work inside a project: every plan task (and every revision request) is its own
 * child workflow. The project starts them, opens each once its dependencies are accepted, and
 * keeps their summaries in its snapshot from the reports they send.
 */
import { isCancellation, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { DepartmentKey, DueAtKey, ManagerIdKey, OverdueKey, ProjectIdKey, TaskStatusKey } from '../search-attributes';
import { managerChangedSignal, openTaskSignal, taskId, taskWorkflowId, TASK_WORKFLOW_TYPE, type TaskInput, type TaskOutcome } from '../task/contract';
import type { taskWorkflow } from '../task/workflow';
import type { TaskChangedSignal, TaskSummary } from './contract';
import type { ProjectContext, TaskRuntime } from './context';
import { applyTaskChange, summaryFor } from './state';

/** Children started at once: a 200-task plan starts in waves rather than 200 commands in one task. */
const CHILD_START_WAVE = 50;

export interface Production {
  /** Puts a task in the snapshot at once; `startPendingTasks` starts its workflow. */
  addTask(taskInput: TaskInput): void;
  startPendingTasks(): Promise<void>;
  /** Opens each task whose dependencies are all accepted, until every task is accepted. */
  awaitTasksAccepted(): Promise<void>;
  /** A task's report (signal): its summary and the timeline follow. */
  applyReport(change: Omit<TaskChangedSignal, 'at'>, at: string): void;
}

export function createProduction(ctx: ProjectContext): Production {
  const { status, tasks, patched } = ctx;

  function taskDetail(summary: TaskSummary): string {
    return summary.assigneeId ? `${summary.key} (${summary.assigneeId})` : summary.key;
  }

  async function startTask(task: TaskRuntime): Promise<void> {
    const { input: taskInput } = task;
    // Titles in the memo let the task inbox (a visibility list) show them without a query per task.
    // Added after histories were recorded: patched, so those runs replay as they ran.
    const memo = patched('task-memo-titles') ? { memo: { title: taskInput.title, projectTitle: taskInput.projectTitle } } : {};
    const startedWith = taskInput.managerId;
    task.handle = await startChild<typeof taskWorkflow>(TASK_WORKFLOW_TYPE, {
      workflowId: taskWorkflowId(taskId(taskInput.projectId, taskInput.taskKey)),
      args: [taskInput],
      ...memo,
      // REQUEST_CANCEL: cancelling is our own explicit signal with a reason; this is only the net
      // for a project that is terminated by an operator, so no task is left chasing its deadlines.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [
        { key: ProjectIdKey, value: taskInput.projectId },
        { key: ManagerIdKey, value: taskInput.managerId },
        { key: DepartmentKey, value: taskInput.department },
        { key: TaskStatusKey, value: taskInput.startOpen ? 'open' : 'waiting' },
        { key: DueAtKey, value: new Date(Date.parse(taskInput.dueAt)) },
        { key: OverdueKey, value: false },
      ],
    });
    // Only now can it be claimed: the snapshot says open once the task exists.
    if (taskInput.startOpen && task.summary.status === 'waiting') task.summary.status = 'open';
    // Handed over while it was starting: its input named the manager before, and the handover
    // could not tell it yet.
    if (status.managerId !== startedWith) {
      const by = [...status.timeline].reverse().find((e) => e.event === 'handed_over')?.by ?? status.managerId;
      await task.handle.signal(managerChangedSignal, { managerId: status.managerId, by }).catch((err: unknown) => {
        ctx.record('task_not_told', undefined, `${task.summary.key}: ${(err as Error).message}`);
      });
    }
    task.handle.result().then(
      (outcome) => taskClosed(task, outcome),
      (err: unknown) => taskClosed(task, undefined, err),
    );
  }

  function taskClosed(task: TaskRuntime, outcome: TaskOutcome | undefined, err?: unknown): void {
    task.closed = true;
    if (outcome) {
      const { view } = outcome;
      const events = applyTaskChange(task.summary, {
        taskKey: view.taskKey,
        status: view.status,
        ...(view.assigneeId !== undefined && { assigneeId: view.assigneeId }),
        dueAt: view.dueAt,
        reviewRounds: view.reviewRounds,
        ...(view.deliverables.length > 0 && { firstSubmittedAt: view.deliverables[0].submittedAt }),
        ...(view.submittedAt !== undefined && { submittedAt: view.submittedAt }),
        ...(view.acceptedAt !== undefined && { acceptedAt: view.acceptedAt }),
        overdue: view.overdue,
      });
      for (const event of events) ctx.record(event, undefined, taskDetail(task.summary));
    } else {
      // A task workflow that fails is a bug; the timeline shows it, the manager can cancel.
      ctx.record('task_failed', undefined, `${task.summary.key}: ${isCancellation(err) ? 'cancelled' : String((err as Error)?.message ?? err)}`);
    }
    status.overdue = status.tasks.some((t) => t.overdue);
    // Runs in a promise callback, not a handler: change state only; the waiting process upserts.
    ctx.changes += 1;
    status.version += 1;
  }

  return {
    addTask(taskInput) {
      const summary = summaryFor(taskInput);
      status.tasks.push(summary);
      tasks.set(taskInput.taskKey, { input: taskInput, summary, openSent: taskInput.startOpen, closed: false });
    },

    async startPendingTasks() {
      ctx.proceed();
      const pending = [...tasks.values()].filter((t) => !t.handle && !t.closed);
      for (let i = 0; i < pending.length; i += CHILD_START_WAVE) {
        await Promise.all(pending.slice(i, i + CHILD_START_WAVE).map(startTask));
      }
      ctx.record('tasks_started', undefined, `${pending.length} tasks`);
      ctx.changed();
    },

    async awaitTasksAccepted() {
      for (;;) {
        const accepted = new Set(status.tasks.filter((t) => t.status === 'accepted').map((t) => t.key));
        const ready = [...tasks.values()].filter(
          (t) => !t.openSent && t.summary.status === 'waiting' && t.input.dependsOn.every((d) => accepted.has(d)),
        );
        for (const task of ready) {
          task.openSent = true;
          task.summary.status = 'open';
          ctx.record('task_opened', undefined, task.summary.key);
        }
        // The signal is queued before any wait below: no task is left waiting on a lost "open".
        await Promise.all(
          ready.map((t) =>
            t.handle!.signal(openTaskSignal).catch((err: unknown) => {
              ctx.record('task_open_failed', undefined, `${t.summary.key}: ${(err as Error).message}`);
            }),
          ),
        );
        if (status.tasks.every((t) => t.status === 'accepted')) return;
        const seen = ctx.changes;
        await ctx.until(() => ctx.changes !== seen);
      }
    },

    applyReport(change, at) {
      const task = tasks.get(change.taskKey);
      if (!task || task.summary.status === 'accepted' || task.summary.status === 'cancelled') return;
      for (const event of applyTaskChange(task.summary, change)) ctx.record(event, undefined, taskDetail(task.summary), at);
      status.overdue = status.tasks.some((t) => t.overdue);
      ctx.changed();
    },
  };
}
