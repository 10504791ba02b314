/** An earlier run, read back from its JSON: `--print` shows its tables, `--compare` sets two side by side. */
import path from 'node:path';
import { compareRuns, printRun } from '../../bench/compare';
import { parseOptions } from '../../bench/options';

const runs = path.join(__dirname, '../../runs');
const devRun = path.join(runs, '2026-12-05-full.json');
const productionRun = path.join(runs, '2026-12-05-production-full.json');

test('--print takes a file and runs nothing else', () => {
  expect(parseOptions(['--print', devRun], {}).print).toBe(devRun);
  expect(() => parseOptions(['--print'], {})).toThrow('--print needs a value');
});

test('a saved run prints its figures and where the time went, as the run printed them', () => {
  const printed = printRun(devRun);
  expect(printed).toContain('full run, 2026-12-05 13:36–13:50 UTC, load average 1.40 at start');
  expect(printed).toContain('| P1 `POST /api/projects` vs bare start (sequential) | 23.2 / 63.1 ms (n=300) | 13.2 / 47.5 ms (n=300) | 1.76× / 1.33× | ≤ 1.15× / ≤ 1.3× | NO |');
  expect(printed).toContain('| POST /api/projects | 300 | 23.2 / 63.1 |');
});

test('two saved runs compare figure by figure', () => {
  const compared = compareRuns(devRun, productionRun);
  expect(compared).toMatch(/\| P1 `POST \/api\/projects` vs bare start \(sequential\) \| 23\.2 \/ 63\.1 ms \| 24\.6 \/ 63\.4 ms \| \+6% \/ \+0% \| 1\.36× \/ 1\.38× \|/);
});
