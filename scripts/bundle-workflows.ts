/** `npm run bundle`: writes the workflow bundle to WORKFLOW_BUNDLE_PATH (or dist/workflow-bundle.js). */
import path from 'node:path';
import { buildWorkflowBundle, PROJECT_ROOT } from '../common/workflow-bundle';
import { createLogger } from '../common/logger';

const out = process.env.WORKFLOW_BUNDLE_PATH ?? path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
buildWorkflowBundle(out, createLogger({ name: 'bundle' })).catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
