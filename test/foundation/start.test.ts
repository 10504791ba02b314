/**
 * `npm start` as a newcomer runs it: dev server with a data file, worker and API in one process;
 * /healthz and /readyz answer, the printed Temporal UI URL loads, and SIGINT (Ctrl-C) leaves no
 * process behind, nor SIGTERM to npm. A second start finds the project made before the first stop.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { uniqueId } from '../support/temporal';
import { clientConnectionOptions } from '../../common/temporal';

jest.setTimeout(180_000);
const ROOT = path.join(__dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  urls: { api: string; docs: string; ui: string; portal: string };
}

async function npmStart(env: NodeJS.ProcessEnv, how: 'node' | 'npm' = 'node'): Promise<Started> {
  // What `npm start` runs (node with tsx as a loader, one process), without npm in between so the
  // signal reaches it as a terminal's Ctrl-C would; or npm itself, as a supervisor starts it.
  const [command, args] = how === 'npm' ? ['npm', ['start', '--silent']] : [process.execPath, ['--import', 'tsx', 'scripts/start.ts']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 120_000;
  while (!/Temporal UI:\s+\S+/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const pick = (label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(output)![1];
  return { child, output: () => output, urls: { api: pick('API'), docs: pick('API docs'), ui: pick('Temporal UI'), portal: pick('Portal') } };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

function processesMentioning(text: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

test('npm start runs everything, answers health checks, keeps data across restarts and stops cleanly', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-start-'));
  const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    API_PORT: String(apiPort),
    TEMPORAL_ADDRESS: '',
    LOG_LEVEL: 'warn',
  };
  const workflowId = uniqueId('kept');
  try {
    let started = await npmStart(env);
    try {
      expect(started.urls.api).toBe(`http://localhost:${apiPort}/api`);
      expect((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status).toBe(200);
      // Ready once the worker polls.
      let ready = 0;
      for (let i = 0; i < 50 && ready !== 200; i++) {
        ready = (await fetch(`http://127.0.0.1:${apiPort}/readyz`)).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready).toBe(200);
      expect((await fetch(started.urls.ui)).status).toBe(200);
      expect((await fetch(started.urls.docs)).status).toBe(200);
      // The portal opens at the root (npm start built it if it was missing or stale).
      expect(started.urls.portal).toBe(`http://localhost:${apiPort}/`);
      const portal = await fetch(started.urls.portal, { headers: { Accept: 'text/html' } });
      expect(portal.status).toBe(200);
      expect(await portal.text()).toContain('<div id="app">');
      expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);

      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}`, ...clientConnectionOptions() });
      await new Client({ connection }).workflow.start('invoiceNumberWorkflow', {
        taskQueue: 'agencyflow',
        workflowId,
        args: [{ year: 2999, lastSequence: 0, allocations: {} }],
      });
      await connection.close();
    } finally {
      expect(await stop(started.child)).toBe(0);
    }
    expect(processesMentioning(dataDir)).toEqual([]);

    started = await npmStart(env);
    try {
      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}`, ...clientConnectionOptions() });
      const description = await new Client({ connection }).workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
      await new Client({ connection }).workflow.getHandle(workflowId).terminate('test done');
      await connection.close();
    } finally {
      expect(await stop(started.child)).toBe(0);
    }
    expect(processesMentioning(dataDir)).toEqual([]);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGTERM to npm itself (what a supervisor or `kill $!` sends) stops everything npm start started', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-start-'));
  const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const env = { DATA_DIR: dataDir, TEMPORAL_DEV_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort), API_PORT: String(apiPort), TEMPORAL_ADDRESS: '', LOG_LEVEL: 'warn' };
  try {
    const started = await npmStart(env, 'npm');
    expect(processesMentioning(dataDir)).not.toEqual([]);
    // npm runs the script through a shell; the script execs node in its place, so npm's SIGTERM
    // reaches the service (a shell left between them died alone and left it running).
    const exited = new Promise((resolve) => started.child.on('exit', resolve));
    started.child.kill('SIGTERM');
    await exited;
    for (let i = 0; i < 50 && processesMentioning(dataDir).length > 0; i++) await new Promise((r) => setTimeout(r, 200));
    expect(processesMentioning(dataDir)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${apiPort}/healthz`)).rejects.toThrow();
  } finally {
    for (const line of processesMentioning(dataDir)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
