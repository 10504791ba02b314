import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli, findTemporalCli, temporalCliModuleDigest, TOOLS_BIN } from '../../common/temporal-cli';

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
  const built = fs.existsSync(path.join(TOOLS_BIN, 'temporal.built-from'));
  (built ? test : test.skip)('then the binary built into .tools/bin, without building again (quiet)', async () => {
    const said: string[] = [];
    const cli = await ensureTemporalCli({ env: { PATH: '/nowhere' }, say: (m) => said.push(m), allowDownload: false });
    expect(cli).toMatchObject({ kind: 'binary', source: '.tools/bin' });
    expect(said).toEqual([]);
  });
});

describe('the CLI built into .tools/bin from scripts/temporal-cli', () => {
  let moduleDir: string;
  let toolsBin: string;
  beforeEach(() => {
    moduleDir = fs.mkdtempSync(path.join(dir, 'module-'));
    fs.writeFileSync(path.join(moduleDir, 'go.mod'), 'module example/cli\n');
    fs.writeFileSync(path.join(moduleDir, 'go.sum'), '');
    toolsBin = path.join(moduleDir, 'bin');
  });

  // A stand-in for `go`: records its arguments and working directory, writes an executable to -o.
  function fakeGo(): { bin: string; log: string } {
    const bin = fs.mkdtempSync(path.join(dir, 'go-'));
    const log = path.join(bin, 'calls');
    fs.writeFileSync(
      path.join(bin, 'go'),
      `#!/bin/sh\necho "$PWD $*" >> ${log}\nwhile [ "$1" != "-o" ]; do shift; done\nprintf '#!/bin/sh\\necho built\\n' > "$2"\n/bin/chmod +x "$2"\n`,
      { mode: 0o755 },
    );
    return { bin, log };
  }

  test('a binary without a stamp from the module as it is now is built again, then found', async () => {
    fs.mkdirSync(toolsBin);
    fs.writeFileSync(path.join(toolsBin, 'temporal'), '#!/bin/sh\necho old\n', { mode: 0o755 });
    // Built by an older checkout (go install of the plain release): no stamp, not taken.
    expect(findTemporalCli({ PATH: '/nowhere' }, { toolsBin, moduleDir })).toBeUndefined();

    const go = fakeGo();
    const said: string[] = [];
    const cli = await ensureTemporalCli({ env: { PATH: go.bin }, say: (m) => said.push(m), allowDownload: false, toolsBin, moduleDir });
    expect(cli).toEqual({ kind: 'binary', path: path.join(toolsBin, 'temporal'), source: 'go build' });
    const [call, ...more] = fs.readFileSync(go.log, 'utf8').trim().split('\n');
    expect(more).toEqual([]);
    // Built in the module's directory, from its pinned go.sum, with the release's version printed.
    expect(call).toMatch(new RegExp(`^${moduleDir} build -mod=readonly -ldflags .*temporalcli\\.Version=1\\.5\\.1 -o ${toolsBin}/temporal\\.partial-\\d+-[0-9a-f]{8} github\\.com/temporalio/cli/cmd/temporal$`));
    expect(fs.readFileSync(path.join(toolsBin, 'temporal'), 'utf8')).toContain('built');
    expect(fs.readdirSync(toolsBin).filter((f) => f.includes('partial'))).toEqual([]);
    expect(fs.readFileSync(path.join(toolsBin, 'temporal.built-from'), 'utf8').trim()).toBe(temporalCliModuleDigest(moduleDir));
    expect(said.at(-1)).toMatch(/^Temporal CLI built in \d+ s/);

    // Found from now on, without building.
    expect(findTemporalCli({ PATH: '/nowhere' }, { toolsBin, moduleDir })).toMatchObject({ source: '.tools/bin' });
    // Until the module changes (a newer pin): then it is stale again.
    fs.appendFileSync(path.join(moduleDir, 'go.sum'), 'modernc.org/sqlite v9.9.9 h1:x\n');
    expect(findTemporalCli({ PATH: '/nowhere' }, { toolsBin, moduleDir })).toBeUndefined();
  });

  test('two builds at once (a test run started while temporal:ensure builds) both end with the CLI', async () => {
    // A stand-in for `go` that writes its output at once and exits a moment later: the two runs'
    // outputs exist side by side, and one finishes while the other's is still on disk.
    const bin = fs.mkdtempSync(path.join(dir, 'go-'));
    fs.writeFileSync(
      path.join(bin, 'go'),
      `#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\nprintf '#!/bin/sh\\necho built\\n' > "$2"\n/bin/chmod +x "$2"\n/bin/sleep 0.5\n`,
      { mode: 0o755 },
    );
    const ensure = () => ensureTemporalCli({ env: { PATH: bin }, say: () => undefined, allowDownload: false, toolsBin, moduleDir });
    const [one, two] = await Promise.allSettled([ensure(), ensure()]);
    expect([one.status, two.status]).toEqual(['fulfilled', 'fulfilled']);
    expect(fs.readFileSync(path.join(toolsBin, 'temporal'), 'utf8')).toContain('built');
    expect(fs.readdirSync(toolsBin).sort()).toEqual(['temporal', 'temporal.built-from']);
  });

  test('a failed build says why and leaves no binary behind', async () => {
    const bin = fs.mkdtempSync(path.join(dir, 'go-'));
    fs.writeFileSync(path.join(bin, 'go'), '#!/bin/sh\necho "missing go.sum entry for modernc.org/sqlite" >&2\nexit 1\n', { mode: 0o755 });
    await expect(ensureTemporalCli({ env: { PATH: bin }, say: () => undefined, allowDownload: false, toolsBin, moduleDir })).rejects.toThrow(
      /go build github\.com\/temporalio\/cli\/cmd\/temporal .*failed \(exit 1\):\nmissing go.sum entry/,
    );
    expect(fs.existsSync(path.join(toolsBin, 'temporal'))).toBe(false);
    expect(fs.existsSync(path.join(toolsBin, 'temporal.built-from'))).toBe(false);
  });
});
