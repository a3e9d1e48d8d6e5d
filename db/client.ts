import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

/**
 * The one place that knows which database engine runs: PostgreSQL through postgres.js when DATABASE_URL is set,
 * embedded PGlite otherwise. Both speak the same SQL, so the schema and every query serve both.
 */

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** A database or an open transaction: use-cases accept either so they compose inside one transaction. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: "postgres" | "pglite";
  /** The postgres.js client itself (PostgreSQL only): for what drizzle cannot do, e.g. streaming `COPY … TO STDOUT`. */
  sql?: postgres.Sql;
  /** The PGlite instance itself (PGlite only): for statements run from their text (db/prepared.ts). */
  pglite?: PGlite;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** A folder, or `memory://` for a throwaway database. */
  pgliteDataDir: string;
}

/** Seconds before the next connection attempt after `retries` failed ones: 0.1, 0.2, 0.4 … capped at 1, jittered. */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.75 + Math.random() / 4);
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) {
    const client = postgres(options.databaseUrl, {
      max: 10,
      onnotice: () => {},
      // Connections are short-lived work units; keep idle ones from piling up across dev reloads.
      idle_timeout: 30,
      // While PostgreSQL is out of reach a request should fail fast with a 503 (lib/errors.ts), and come back within
      // a second or two of the server's return. postgres.js's default backoff grows to 10–20 s between connection
      // attempts after a handful of failures (shared by the whole pool), so every request in and just after an
      // outage would wait that long; its default connect timeout (30 s) likewise holds requests on a silent network.
      backoff: reconnectDelaySeconds,
      connect_timeout: 5,
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Database;
    return { db, kind: "postgres", sql: client, close: () => client.end({ timeout: 5 }) };
  }
  if (!options.pgliteDataDir.startsWith("memory://")) {
    // PGlite does not create parent folders itself.
    mkdirSync(options.pgliteDataDir, { recursive: true });
  }
  const client = new PGlite(options.pgliteDataDir);
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return { db, kind: "pglite", pglite: client, close: () => client.close() };
}
