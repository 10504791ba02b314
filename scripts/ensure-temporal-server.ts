/** `npm run temporal:server:ensure`: the pinned Temporal server and SQL tool in .tools (see common/temporal-server.ts). */
import { ensureTemporalServerTools } from '../common/temporal-server';

ensureTemporalServerTools()
  .then((tools) => process.stdout.write(`${tools.server}\n${tools.sqlTool}\n`))
  .catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
