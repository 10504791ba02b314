/**
 * The reporting store's one way to talk SQL: statements built with the `sql` tag and sent as ONE
 * simple-protocol query each, with their values written as escaped literals.
 *
 * Why not bind parameters: the embedded PGlite serves every socket connection on one PostgreSQL
 * session (pglite-socket queues messages, not statements). A parameterised query is five protocol
 * messages (Parse, Bind, Describe, Execute, Sync) sharing the session's unnamed statement and
 * portal; when a large one arrives in several TCP chunks, another connection's messages can run in
 * between and bind the wrong statement. A simple query is one message and runs whole. The same
 * text runs unchanged on a real PostgreSQL server, so both engines see identical SQL.
 *
 * For the same reason nothing here relies on per-connection session state (no SET search_path):
 * every table is qualified with the store's schema, and times are converted explicitly to UTC.
 */
import pg from 'pg';
import type { Logger } from '../../common/logger';

/** A piece of SQL text, safe to embed: literals are escaped, identifiers validated. */
export class Sql {
  constructor(readonly text: string) {}
}

export type SqlValue = string | number | boolean | null | undefined | Date | Sql;

/** A string literal as PostgreSQL reads it whatever `standard_conforming_strings` says (like pg's escapeLiteral). */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('PostgreSQL text cannot hold NUL characters');
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

function render(value: SqlValue): string {
  if (value instanceof Sql) return value.text;
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    // Negative numbers in parentheses: `- -1` would start a comment-free but surprising expression.
    return value < 0 ? `(${String(value)})` : String(value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('invalid date');
    return `${quoteLiteral(value.toISOString())}::timestamptz`;
  }
  return quoteLiteral(value);
}

/** `sql\`SELECT ... WHERE id = ${id}\`` — values become literals, Sql fragments are embedded as they are. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): Sql {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text += render(values[i]) + strings[i + 1];
  return new Sql(text);
}

export const raw = (text: string): Sql => new Sql(text);

export function join(parts: Sql[], separator: string): Sql {
  return new Sql(parts.map((p) => p.text).join(separator));
}

/**
 * `value` as JSON text the way jsonb keeps it: NULs dropped, since jsonb cannot store `\u0000` and a
 * snapshot must never be refused for one; `droppedNul` says whether there were any.
 */
export function storedJson(value: unknown): { text: string; droppedNul: boolean } {
  let droppedNul = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'string' || !v.includes('\u0000')) return v;
    droppedNul = true;
    return v.split('\u0000').join('');
  });
  return { text, droppedNul };
}

/** JSON text (from `storedJson`) as a jsonb literal. */
export const jsonbText = (text: string): Sql => new Sql(`${quoteLiteral(text)}::jsonb`);

/** JSON as a jsonb literal, NULs dropped (see `storedJson`). */
export const jsonb = (value: unknown): Sql => jsonbText(storedJson(value).text);

/** Schema names: lower-case, so they never need quoting and always mean what they say (`pg_` is PostgreSQL's own). */
export const SCHEMA_NAME = /^(?!pg_)[a-z_][a-z0-9_]{0,47}$/;

export function schemaIdentifier(name: string): Sql {
  if (!SCHEMA_NAME.test(name)) throw new Error(`invalid schema name ${JSON.stringify(name)}: expected lower-case letters, digits and _, not starting with pg_`);
  return new Sql(name);
}

// ---------------------------------------------------------------------------------------------
// The connection pool
// ---------------------------------------------------------------------------------------------

/** numeric and bigint as JS numbers: sums of money (2 decimals) and counts fit a double exactly enough. */
const NUMERIC_OID = 1700;
const INT8_OID = 20;
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === NUMERIC_OID || oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface Database {
  /** Rows of one statement. */
  rows<R = Record<string, unknown>>(statement: Sql): Promise<R[]>;
  /** Runs `fn` on one connection inside BEGIN … COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: Pick<Database, 'rows'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function openDatabase(options: { url: string; password?: string; poolSize?: number; logger?: Logger }): Database {
  // The password goes into the URL: pg lets the connection string's (absent) password override a
  // separate `password` option, and the server then refuses the login.
  const url = new URL(options.url);
  if (options.password !== undefined) url.password = options.password;
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: options.poolSize ?? 8,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    application_name: 'agencyflow',
    types: typeParsers,
  });
  // A connection that dies (server restart, shutdown) must not crash the process: idle ones are
  // reported by the pool, one in use fails its query; the next query reconnects.
  pool.on('error', (err) => options.logger?.warn({ err: err.message }, 'reporting store: idle connection lost'));
  pool.on('connect', (client) => client.on('error', () => undefined));
  const rowsOn = async <R>(client: pg.Pool | pg.PoolClient, statement: Sql): Promise<R[]> => {
    const result = (await client.query(statement.text)) as pg.QueryResult | pg.QueryResult[];
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    return last.rows as R[];
  };
  let closed: Promise<void> | undefined;
  return {
    rows: (statement) => rowsOn(pool, statement),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({ rows: (statement) => rowsOn(client, statement) });
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(true);
        throw err;
      }
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
