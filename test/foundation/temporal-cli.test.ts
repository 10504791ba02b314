import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli, findTemporalCli, TOOLS_BIN } from '../../common/temporal-cli';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-cli-'));
  fs.writeFileSync(path.join(dir, 'temporal'), '#!/bin/sh\necho fake\n', { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('finding a Temporal CLI', () => {
  test('TEMPORAL_CLI_PATH comes first', () => {
    const explicit = path.join(dir, 'temporal');
    expect(findTemporalCli({ TEMPORAL_CLI_PATH: explicit, PATH: '/nowhere' })).toEqual({
      kind: 'binary',
      path: explicit,
      source: 'TEMPORAL_CLI_PATH',
    });
  });

  test('a TEMPORAL_CLI_PATH that is not executable is a clear error, not a silent fallback', () => {
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: path.join(dir, 'missing') })).toThrow(/TEMPORAL_CLI_PATH=.*not an executable/);
  });

  test('then `temporal` on PATH', () => {
    expect(findTemporalCli({ PATH: `/nowhere${path.delimiter}${dir}` })).toMatchObject({ source: 'PATH' });
  });

  // Only where .tools/bin holds a built CLI (CI builds it there; a machine using PATH may not).
  const built = fs.existsSync(path.join(TOOLS_BIN, 'temporal'));
  (built ? test : test.skip)('then the binary built into .tools/bin, without building again (quiet)', async () => {
    const said: string[] = [];
    const cli = await ensureTemporalCli({ env: { PATH: '/nowhere' }, say: (m) => said.push(m), allowDownload: false });
    expect(cli).toMatchObject({ kind: 'binary', source: '.tools/bin' });
    expect(said).toEqual([]);
  });
});
