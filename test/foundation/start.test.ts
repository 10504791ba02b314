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
import { freePort, startOnFreePorts, type StartPorts } from '../support/ports';
import { uniqueId } from '../support/temporal';
import { clientConnectionOptions } from '../../common/temporal';

jest.setTimeout(180_000);
const ROOT = path.join(__dirname, '..', '..');

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
  const envOn = (ports: StartPorts) => ({
    DATA_DIR: dataDir,
    TEMPORAL_DEV_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    API_PORT: String(ports.api),
    TEMPORAL_ADDRESS: '',
    LOG_LEVEL: 'warn',
  });
  const workflowId = uniqueId('kept');
  try {
    const first = await startOnFreePorts((ports) => npmStart(envOn(ports)));
    const { temporal: temporalPort, api: apiPort } = first.ports;
    const env = envOn(first.ports);
    let started = first.started;
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
  try {
    const {
      ports: { api: apiPort },
      started,
    } = await startOnFreePorts((ports) =>
      npmStart({ DATA_DIR: dataDir, TEMPORAL_DEV_PORT: String(ports.temporal), TEMPORAL_UI_PORT: String(ports.ui), API_PORT: String(ports.api), TEMPORAL_ADDRESS: '', LOG_LEVEL: 'warn' }, 'npm'),
    );
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

test('a start that fails part-way (the API’s port already taken) says why and leaves no dev server behind', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agencyflow-start-'));
  // Someone else's server on the API's port: the dev server and the reporting store come up first.
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const apiPort = (taken.address() as net.AddressInfo).port;
  try {
    const [temporalPort, uiPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, TEMPORAL_DEV_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort), API_PORT: String(apiPort), TEMPORAL_ADDRESS: '', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain(`agencyflow failed to start: Error: listen EADDRINUSE: address already in use 127.0.0.1:${apiPort}`);
    // The dev server it had started is gone (before, it stayed up holding the data file and the
    // Temporal port, so the next `npm start` failed on that port instead), and so is the store's address file.
    expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
    expect(processesMentioning(dataDir)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'reporting.url'))).toBe(false);
  } finally {
    taken.close();
    for (const line of processesMentioning(dataDir)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
