import "server-only";
import { and, eq, lt, or, sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import { syncRuns } from "@/db/schema";

// Sync runs as stored, and which of them a process may take: queued ones, and running ones whose heartbeat is so old
// that their process must have died. runSync claims by this condition and the sweep looks for work by it, so the two
// cannot disagree about which runs are abandoned.
//
// A claim writes a fresh `claim_token`, and every later write of the runner is conditioned on it (heldBy): a runner
// whose run was taken over finds that its writes match nothing, and stops without touching the new owner's run.

export type SyncRun = typeof syncRuns.$inferSelect;

/** A running run whose heartbeat is this old was abandoned by a process that died: the sweep resumes it. */
export const ABANDONED_AFTER_MS = 2 * 60 * 1000;
/**
 * A live runner stamps its heartbeat this often, whatever it is waiting for (a realm-limiter permit, a slow Intuit
 * page, a retry's backoff): four beats per abandonment window, so a live run never looks abandoned.
 */
export const HEARTBEAT_EVERY_MS = ABANDONED_AFTER_MS / 4;

/** Queued, or running but abandoned as of `now`. */
export function claimable(now: Date): SQL | undefined {
  return or(eq(syncRuns.status, "queued"), and(eq(syncRuns.status, "running"), lt(syncRuns.heartbeatAt, new Date(now.getTime() - ABANDONED_AFTER_MS))));
}

/** The run, still running under this runner's claim. */
export function heldBy(run: Pick<SyncRun, "id" | "claimToken">): SQL {
  if (!run.claimToken) return sql`false`;
  return and(eq(syncRuns.id, run.id), eq(syncRuns.claimToken, run.claimToken), eq(syncRuns.status, "running"))!;
}

/** Stamps the heartbeat of a run this runner still holds; false once it was taken over (or ended). */
export async function beat(run: Pick<SyncRun, "id" | "claimToken">, at = new Date()): Promise<boolean> {
  const held = await db().update(syncRuns).set({ heartbeatAt: at }).where(heldBy(run)).returning({ id: syncRuns.id });
  return held.length > 0;
}
