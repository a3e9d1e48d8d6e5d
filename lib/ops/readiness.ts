import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { MIGRATIONS_FOLDER } from "@/db/migrate";
import { env } from "@/lib/env";
import { backgroundJobsKind } from "@/lib/jobs/queue";

// The probes a load balancer or an orchestrator asks (issue 19). Liveness: the process answers, nothing else (a
// database outage must not get every instance restarted). Readiness: this instance can do its work now: the database
// answers within a second, its migrations are the ones this build expects, and the job runner has started (when this
// instance runs background jobs). The answer names the failed check only: no versions, hosts or errors.

/** How long the database may take to answer the readiness query. */
export const READY_DATABASE_TIMEOUT_MS = 1_000;

export type ReadinessCheck = "database" | "migrations" | "jobs";
export type Readiness = { ready: true } | { ready: false; failed: ReadinessCheck; message: string };

/** What an operator reads in a failed probe's answer: the check, and what to do about it. */
const NOT_READY: Record<ReadinessCheck, string> = {
  database: "This instance is not ready: its database does not answer.",
  migrations: "This instance is not ready: the database's migrations are older than this build's. Run the migrations.",
  jobs: "This instance is not ready: its background job runner has not started.",
};
const notReady = (failed: ReadinessCheck): Readiness => ({ ready: false, failed, message: NOT_READY[failed] });

let expectedMigration: number | undefined;

/** The `when` of the newest migration this build carries (drizzle-kit's journal), read once. */
function latestMigrationOfBuild(): number {
  if (expectedMigration === undefined) {
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };
    expectedMigration = Math.max(...journal.entries.map((e) => e.when));
  }
  return expectedMigration;
}

/** The newest migration applied to the database (drizzle's own table records each one's `when`), or null. */
async function latestAppliedMigration(): Promise<number | null> {
  const [row] = rowsOf<{ latest: string | number | null }>(await db().execute(sql`select max(created_at) as latest from drizzle.__drizzle_migrations`));
  return row?.latest === null || row?.latest === undefined ? null : Number(row.latest);
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function checkReadiness(): Promise<Readiness> {
  let applied: number | null;
  try {
    applied = await within(latestAppliedMigration(), READY_DATABASE_TIMEOUT_MS);
  } catch {
    return notReady("database");
  }
  if (applied === null || applied < latestMigrationOfBuild()) return notReady("migrations");
  if (env().backgroundJobs && (await backgroundJobsKind()) === null) return notReady("jobs");
  return { ready: true };
}
