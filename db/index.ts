import "server-only";
import { env } from "@/lib/env";
import { openDatabase, type Database, type DatabaseHandle } from "./client";
import { migrateDatabase } from "./migrate";

export type { Database, Executor, Transaction } from "./client";

// One handle per process. Kept on globalThis because Next.js bundles instrumentation and routes separately and
// reloads modules in development, and an embedded PGlite folder must never be opened twice.
const globalForDb = globalThis as unknown as { __qbcDatabase?: DatabaseHandle; __qbcReady?: Promise<void> };

export function databaseHandle(): DatabaseHandle {
  globalForDb.__qbcDatabase ??= openDatabase({ databaseUrl: env().databaseUrl, pgliteDataDir: env().pgliteDataDir });
  return globalForDb.__qbcDatabase;
}

export function db(): Database {
  return databaseHandle().db;
}

/** Applies migrations once per process; every caller awaits the same run. */
export function ensureDatabaseReady(): Promise<void> {
  globalForDb.__qbcReady ??= migrateDatabase(databaseHandle()).catch((error: unknown) => {
    globalForDb.__qbcReady = undefined;
    throw error;
  });
  return globalForDb.__qbcReady;
}

export async function closeDatabase(): Promise<void> {
  const handle = globalForDb.__qbcDatabase;
  globalForDb.__qbcDatabase = undefined;
  globalForDb.__qbcReady = undefined;
  await handle?.close();
}
