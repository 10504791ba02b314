/** `npm run temporal:ensure`: make sure a Temporal CLI is available (see common/temporal-cli.ts). */
import { ensureTemporalCli } from '../common/temporal-cli';

ensureTemporalCli({ allowDownload: !process.argv.includes('--no-download') })
  .then((cli) => {
    if (cli.kind === 'binary') process.stdout.write(`${cli.path}\n`);
    else process.stdout.write('sdk-download\n');
  })
  .catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
