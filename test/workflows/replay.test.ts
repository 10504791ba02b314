/**
 * Determinism guard: every recorded history under histories/ is replayed against today's workflow
 * bundle. A code change that would break running projects (a step moved, a timer added without
 * `patched()`) fails here, not in production. Fixtures come from finished test runs:
 * `RECORD_HISTORIES=1 npx jest test/workflows` (see histories/README.md), never edited by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testBundlePath } from '../support/temporal';
import { HISTORIES_DIR, historyFromFixture } from './support';

jest.setTimeout(120_000);

const fixtures = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort() : [];

// While recording, the fixtures are being rewritten by the other files: nothing to check yet.
const recording = process.env.RECORD_HISTORIES === '1';
const replayTest = recording ? test.skip : test;

replayTest('replay fixtures exist for the main paths', () => {
  expect(fixtures).toEqual(
    expect.arrayContaining([
      'project-happy-path.json',
      'project-revisions.json',
      'project-cancelled-in-production.json',
      'task-late-escalated.json',
    ]),
  );
});

replayTest('every recorded history replays on the current workflow code without nondeterminism', async () => {
  const histories = fixtures.map((file) => ({
    workflowId: path.basename(file, '.json'),
    history: historyFromFixture(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
  }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: testBundlePath() }, replayName: 'agencyflow-replay' }, histories)) {
    replayed += 1;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(fixtures.length);
});
