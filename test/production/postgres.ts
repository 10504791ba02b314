/**
 * A throw-away PostgreSQL for the production topology: Debian's server binaries (package
 * `postgresql`), a data folder under the run's temporary folder, a free port on 127.0.0.1, a
 * password for TCP logins as in the compose stack. PostgreSQL refuses to run as root, so under root
 * it runs as the `postgres` user (Debian's package creates it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runToEnd, startProcess, tail, waitFor, type ManagedProcess } from './processes';

export interface Postgres {
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  binDir: string;
  process: ManagedProcess;
  /** `postgres://user:password@127.0.0.1:port/db` */
  url(database: string): string;
  /** Runs a client program of the same version (psql, pg_dump, pg_restore...) with the password set. */
  client(program: string, args: string[]): string;
  stop(): Promise<void>;
}

/** Debian's versioned server binaries, newest first; POSTGRES_BIN_DIR overrides. */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.POSTGRES_BIN_DIR?.trim();
  if (explicit) return fs.existsSync(path.join(explicit, 'initdb')) ? explicit : undefined;
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs
      .readdirSync(base)
      .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? path.dirname(which.stdout.trim()) : undefined;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPostgres(options: { dir: string; port: number; user: string; password: string }): Promise<Postgres> {
  const binDir = findPostgresBinDir();
  if (!binDir) {
    throw new Error(
      'PostgreSQL server binaries not found (initdb). Install them: `apt-get install -y postgresql` (Debian), ' +
        'or set POSTGRES_BIN_DIR to the folder holding initdb and postgres.',
    );
  }
  const owner = postgresUser();
  const dataDir = path.join(options.dir, 'data');
  const socketDir = path.join(options.dir, 'socket');
  const logFile = path.join(options.dir, 'postgres.log');
  const pwFile = path.join(options.dir, 'pwfile');
  fs.mkdirSync(options.dir, { recursive: true });
  fs.mkdirSync(socketDir, { recursive: true });
  fs.writeFileSync(pwFile, `${options.password}\n`, { mode: 0o600 });
  if (owner) {
    for (const p of [options.dir, socketDir, pwFile]) fs.chownSync(p, owner.uid, owner.gid);
  }
  // Passwords over TCP (as every Temporal service and the app log in), trust on the socket only.
  runToEnd(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-U', options.user, `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions'],
    { ...owner, env: { ...process.env, LC_ALL: 'C.UTF-8' } },
  );
  fs.rmSync(pwFile);
  const proc = startProcess({
    name: 'postgresql',
    command: path.join(binDir, 'postgres'),
    args: ['-D', dataDir, '-p', String(options.port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
    logFile,
    ...owner,
  });
  const clientEnv = { ...process.env, PGPASSWORD: options.password };
  try {
    await waitFor(
      'PostgreSQL to accept connections',
      async () =>
        spawnSync(path.join(binDir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(options.port), '-U', options.user], { env: clientEnv }).status === 0,
      { timeoutMs: 60_000, alive: proc.running },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${tail(logFile)}`);
  }
  return {
    host: '127.0.0.1',
    port: options.port,
    user: options.user,
    password: options.password,
    dataDir,
    binDir,
    process: proc,
    url: (database) => `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`,
    client: (program, args) =>
      runToEnd(path.join(binDir, program), ['-h', '127.0.0.1', '-p', String(options.port), '-U', options.user, ...args], { env: clientEnv }).stdout,
    async stop() {
      // SIGINT: PostgreSQL's fast shutdown (roll back open transactions, checkpoint, exit).
      await proc.stop('SIGINT', 30_000);
    },
  };
}
