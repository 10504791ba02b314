/**
 * Determinism guard: every recorded history under histories/ (its frozen folders such as v1/
 * included) is replayed against today's workflow bundle. A code change that would break running
 * projects (a step moved, a timer added without `patched()`) fails here, not in production. And
 * every patch in the workflow code must have a fixture that took its new path, so a patch without
 * one fails here too. Fixtures come from finished test runs: `RECORD_HISTORIES=1 npx jest
 * test/workflows` (see histories/README.md), never edited by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testBundlePath } from '../support/temporal';
import { HISTORIES_DIR, historyFixtureFiles, historyFromFixture, patchIdsIn, patchIdsInWorkflowCode } from './support';

// Each batch of fixtures below is a test: the budget is generous so that only a replay that fails,
// or hangs, fails the test (127 fixtures in one test took 124 s on 2026-12-01, 167 took 455–600 s
// inside a full `npm test` on 2026-12-06).
jest.setTimeout(600_000);

const fixtures = historyFixtureFiles();
const histories = fixtures.map((file) => ({
  // The path is the id: one name may be recorded on several versions of the code (v1/x, x).
  workflowId: file.replace(/\.json$/, ''),
  history: historyFromFixture(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
}));

// While recording, the fixtures are being written by the other files: nothing to check yet.
const recording = process.env.RECORD_HISTORIES === '1';
const replayTest = recording ? test.skip : test;

replayTest('replay fixtures exist for the main paths and the edge paths that differ', () => {
  expect(fixtures).toEqual(
    expect.arrayContaining([
      'v1/project-happy-path.json',
      'v1/project-revisions.json',
      'v1/project-cancelled-in-production.json',
      'v1/task-late-escalated.json',
      'v2/project-plan-rejected-then-approved.json',
      'v2/project-prepayment-chased.json',
      'v2/project-cancelled-with-unpaid-prepayment.json',
      'v4/project-happy-path.json',
      'v4/task-quiet-reports.json',
      'project-plan-rejected-then-approved.json',
      'project-prepayment-chased.json',
      'project-temporal-cancel-while-invoicing.json',
      'project-cancelled-with-unpaid-prepayment.json',
      'project-complaint-in-invoicing.json',
      'project-worker-restarted.json',
      'project-uncached-worker.json',
      'task-uncached-worker.json',
      'v6/manager-handover.json',
      'manager-handover.json',
      'manager-handover-notice.json',
    ]),
  );
});

replayTest('every patch in the workflow code has a recorded history that took its new path', () => {
  const code = patchIdsInWorkflowCode();
  // The scan itself works: it finds patches we know are there.
  expect(code).toEqual(expect.arrayContaining(['cancelled-collects-payment', 'notices-own-path']));
  const recorded = new Set(histories.flatMap(({ history }) => patchIdsIn(history)));
  expect(code.filter((id) => !recorded.has(id))).toEqual([]);
});

/**
 * Replayed in batches, each a test of its own: all of them in one test took 455–471 s inside a full
 * `npm test` on 2026-12-06 and once went over the 600 s budget, only for the time it took on a busy
 * machine (nothing failed to replay). A batch that fails still names its fixtures.
 */
const BATCH_SIZE = 20;
const batches = Array.from({ length: Math.ceil(histories.length / BATCH_SIZE) }, (_, i) => histories.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE));

describe('every recorded history replays on the current workflow code without nondeterminism', () => {
  replayTest.each(batches.map((batch, i) => ({ batch, name: `${i + 1} of ${batches.length}: ${batch[0].workflowId} … ${batch[batch.length - 1].workflowId}` })))(
    'batch $name',
    async ({ batch }) => {
      const failures: string[] = [];
      let replayed = 0;
      for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: testBundlePath() }, replayName: 'agencyflow-replay' }, batch)) {
        replayed += 1;
        if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
      }
      expect(failures).toEqual([]);
      expect(replayed).toBe(batch.length);
    },
  );

  replayTest('the batches hold every fixture once', () => {
    expect(batches.flat().map((h) => h.workflowId)).toEqual(fixtures.map((file) => file.replace(/\.json$/, '')));
  });
});
