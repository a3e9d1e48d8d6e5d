import "server-only";
import { env } from "@/lib/env";
import { openDatabase, type Database, type DatabaseHandle } from "./client";
import { migrateDatabase } from "./migrate";

export type { Database, Executor, Transaction } from "./client";

// One handle per process. Kept on globalThis because Next.js bundles instrumentation and routes separately and
// reloads modules in development, and an embedded PGlite folder must never be opened twice.
const globalForDb = globalThis as unknown as { __qbcDatabase?: DatabaseHandle; __qbcReady?: Promise<void> };

export function databaseHandle(): DatabaseHandle {
  const config = env();
  globalForDb.__qbcDatabase ??= openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDataDir: config.pgliteDataDir,
    pgliteTemplate: config.pgliteTemplate,
    timeouts: config.databaseTimeouts,
    // One export connection per export the process allows at once (lib/logs/export-response.ts): none ever waits.
    exportConnections: config.exports.perProcess,
  });
  return globalForDb.__qbcDatabase;
}

export function db(): Database {
  return databaseHandle().db;
}

/**
 * Migrations on PostgreSQL run on a connection of their own, without the request pool's time limits: a migration is
 * long work run once (an index built, every row of a table rewritten), and cancelling it half-way would stop the start.
 */
async function migrate(): Promise<void> {
  const handle = databaseHandle();
  if (handle.kind === "pglite") return migrateDatabase(handle);
  const own = openDatabase({ databaseUrl: env().databaseUrl, pgliteDataDir: env().pgliteDataDir, max: 1, applicationName: "qbc-migrate" });
  try {
    await migrateDatabase(own);
  } finally {
    await own.close();
  }
}

/** Applies migrations once per process; every caller awaits the same run. */
export function ensureDatabaseReady(): Promise<void> {
  globalForDb.__qbcReady ??= migrate().catch((error: unknown) => {
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
