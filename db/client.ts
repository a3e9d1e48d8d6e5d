import { mkdirSync, readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

/**
 * The one place that knows which database engine runs: PostgreSQL through postgres.js when DATABASE_URL is set,
 * embedded PGlite otherwise. Both speak the same SQL, so the schema and every query serve both.
 *
 * On PostgreSQL every session carries statement_timeout, lock_timeout and idle_in_transaction_session_timeout
 * (lib/env.ts says why each value), so that no statement, lock wait or forgotten transaction can hold one of the
 * pool's connections for long. PGlite has none: it is one embedded connection whose SQL runs on the app's own thread,
 * where no timer can interrupt it.
 */

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** A database or an open transaction: use-cases accept either so they compose inside one transaction. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: "postgres" | "pglite";
  /** The postgres.js client itself (PostgreSQL only): for what drizzle cannot do, e.g. prepared statements by text. */
  sql?: postgres.Sql;
  /**
   * The export pool (PostgreSQL only): `COPY … TO STDOUT` streams run here, never in the request pool, so that a
   * download read slowly can hold none of the request pool's connections. No statement_timeout: a COPY lasts as long
   * as its client reads; a client that stops reading is cut by the export's own idle timeout (lib/logs).
   */
  exportSql?: postgres.Sql;
  /** The PGlite instance itself (PGlite only): for statements run from their text (db/prepared.ts). */
  pglite?: PGlite;
  close(): Promise<void>;
}

/**
 * PostgreSQL's limits on one session, in milliseconds; 0 sends nothing, so the server's (or the role's) own setting
 * applies. Sent in the startup message, so every connection, including one opened after an outage, has them.
 */
export interface SessionTimeouts {
  statementMs: number;
  lockMs: number;
  idleInTransactionMs: number;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** A folder, or `memory://` for a throwaway database. */
  pgliteDataDir: string;
  /** A dump (PGlite's dumpDataDir) an in-memory PGlite starts from instead of an empty database. */
  pgliteTemplate?: string;
  /** PostgreSQL only. Omitted: none are sent (migrations, which are long work run once). */
  timeouts?: SessionTimeouts;
  /** Connections of the request pool (PostgreSQL). Default 10. */
  max?: number;
  /** Connections of the export pool (PostgreSQL); 0 or omitted: no export pool. */
  exportConnections?: number;
  /** Shown in pg_stat_activity; the export pool's is this with "-export" appended. Default "qbc-app". */
  applicationName?: string;
}

/** The startup parameters for `timeouts` (postgres.js sends its `connection` option in the startup message). */
export function sessionParameters(timeouts: SessionTimeouts | undefined): Record<string, string> {
  if (!timeouts) return {};
  const parameters: Record<string, string> = {};
  if (timeouts.statementMs > 0) parameters.statement_timeout = String(timeouts.statementMs);
  if (timeouts.lockMs > 0) parameters.lock_timeout = String(timeouts.lockMs);
  if (timeouts.idleInTransactionMs > 0) parameters.idle_in_transaction_session_timeout = String(timeouts.idleInTransactionMs);
  return parameters;
}

/** Seconds before the next connection attempt after `retries` failed ones: 0.1, 0.2, 0.4 … capped at 1, jittered. */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.75 + Math.random() / 4);
}

/** What a transaction's statements get once its connection is gone: answered like any lost connection (503). */
function transactionGone(cause: unknown): Error {
  return Object.assign(new Error("The transaction's database connection was closed.", { cause }), { code: "CONNECTION_CLOSED" });
}

/** A transaction's handle that refuses every statement once `gone()` says its connection closed. */
function refusingWhenGone<T extends object>(tx: T, gone: () => unknown): T {
  const check = () => {
    const cause = gone();
    if (cause) throw transactionGone(cause);
  };
  return new Proxy(tx, {
    apply(target, thisArg, args) {
      check();
      return Reflect.apply(target as (...a: unknown[]) => unknown, thisArg, args);
    },
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        check();
        return Reflect.apply(value, target, args);
      };
    },
  });
}

/**
 * postgres.js 3.4.9 keeps a transaction's callback running after its connection closed (PostgreSQL ended the session
 * for idling in a transaction past its limit, a restart, a network cut): `begin()` rejects at once, but the statements
 * the callback still sends, and the COMMIT or ROLLBACK postgres.js sends when the callback ends, go to that connection
 * object, which crashes on its closed socket or, once the pool has reopened it for other work, runs them outside any
 * transaction or inside another request's (porsager/postgres#1155 and #1215, open). Until that is fixed there: once
 * its connection is gone, a transaction's handle refuses every statement, and the callback's end is not handed back
 * to postgres.js, so nothing more is sent for it.
 */
function guardTransactions(client: postgres.Sql): void {
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const guardedBegin = (...args: unknown[]) => {
    const callback = args.pop() as (tx: postgres.TransactionSql) => unknown;
    let gone: unknown = null;
    const guarded = (tx: postgres.TransactionSql) =>
      new Promise((resolve, reject) => {
        Promise.resolve(callback(refusingWhenGone(tx, () => gone))).then(
          (value) => (gone ? undefined : resolve(value)),
          // A failure is handed back a turn of the event loop later: when it came from the connection closing under a
          // statement (a lost socket, PostgreSQL ending the session), the close has by then rejected begin() too.
          (error: unknown) => setImmediate(() => (gone ? undefined : reject(error))),
        );
      });
    return begin(...args, guarded).catch((error: unknown) => {
      gone ??= error ?? new Error("transaction ended");
      throw error;
    });
  };
  client.begin = guardedBegin as unknown as typeof client.begin;
}

/** postgres.js's `max_pipeline` (queries sent ahead on a busy connection), an option its type declarations leave out. */
const NO_PIPELINING: Record<string, unknown> = { max_pipeline: 0 };

function postgresClient(url: string, max: number, connection: Record<string, string>, extra: Record<string, unknown> = {}): postgres.Sql {
  return postgres(url, {
    ...extra,
    max,
    onnotice: () => {},
    // Connections are short-lived work units; keep idle ones from piling up across dev reloads.
    idle_timeout: 30,
    // While PostgreSQL is out of reach a request should fail fast with a 503 (lib/errors.ts), and come back within
    // a second or two of the server's return. postgres.js's default backoff grows to 10–20 s between connection
    // attempts after a handful of failures (shared by the whole pool), so every request in and just after an
    // outage would wait that long; its default connect timeout (30 s) likewise holds requests on a silent network.
    backoff: reconnectDelaySeconds,
    connect_timeout: 5,
    connection,
  });
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const applicationName = options.applicationName ?? "qbc-app";
    const timeouts = sessionParameters(options.timeouts);
    const client = postgresClient(options.databaseUrl, options.max ?? 10, { application_name: applicationName, ...timeouts });
    guardTransactions(client);
    // "0" is sent, not left out: it overrides a statement_timeout the role or the database may set. No pipelining:
    // postgres.js would otherwise hand a new export's COPY to a connection still streaming (or still stopping) another
    // one, which fails it with COPY_IN_PROGRESS; queued, it waits the moment until a connection is free.
    const exportSql = options.exportConnections
      ? postgresClient(options.databaseUrl, options.exportConnections, { application_name: `${applicationName}-export`, ...timeouts, statement_timeout: "0" }, NO_PIPELINING)
      : undefined;
    const db = drizzlePostgres(client, { schema }) as unknown as Database;
    return {
      db,
      kind: "postgres",
      sql: client,
      exportSql,
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), exportSql?.end({ timeout: 5 })]);
      },
    };
  }
  if (!options.pgliteDataDir.startsWith("memory://")) {
    // PGlite does not create parent folders itself.
    mkdirSync(options.pgliteDataDir, { recursive: true });
  }
  const template = options.pgliteTemplate && options.pgliteDataDir.startsWith("memory://") ? new Blob([readFileSync(options.pgliteTemplate)]) : undefined;
  const client = new PGlite(options.pgliteDataDir, template ? { loadDataDir: template } : {});
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return { db, kind: "pglite", pglite: client, close: () => client.close() };
}
