import "server-only";
import { and, eq, lt, or, type SQL } from "drizzle-orm";
import { syncRuns } from "@/db/schema";

// Sync runs as stored, and which of them a process may take: queued ones, and running ones whose heartbeat is so old
// that their process must have died. runSync claims by this condition and the sweep looks for work by it, so the two
// cannot disagree about which runs are abandoned.

export type SyncRun = typeof syncRuns.$inferSelect;

/** A running run whose heartbeat is this old was abandoned by a process that died: the sweep resumes it. */
export const ABANDONED_AFTER_MS = 2 * 60 * 1000;

/** Queued, or running but abandoned as of `now`. */
export function claimable(now: Date): SQL | undefined {
  return or(eq(syncRuns.status, "queued"), and(eq(syncRuns.status, "running"), lt(syncRuns.heartbeatAt, new Date(now.getTime() - ABANDONED_AFTER_MS))));
}
