import "server-only";
import { and, eq, or } from "drizzle-orm";
import { db } from "@/db";
import { syncRuns } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { SyncRun } from "./store/sync-runs";

/** Puts a failed run back in the queue; it continues from its cursor. */
export async function resumeSync(tenantId: string, runId: number): Promise<SyncRun> {
  // One queued or running sync per connection (sync_runs_one_active_uq): say so instead of hitting the index.
  const [failed] = await db()
    .select({ environment: syncRuns.environment })
    .from(syncRuns)
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.tenantId, tenantId), eq(syncRuns.status, "failed")));
  if (failed) {
    const [active] = await db()
      .select({ id: syncRuns.id })
      .from(syncRuns)
      .where(and(eq(syncRuns.tenantId, tenantId), eq(syncRuns.environment, failed.environment), or(eq(syncRuns.status, "queued"), eq(syncRuns.status, "running"))));
    if (active) throw new AppError("sync_in_progress", 409, `Sync run #${active.id} is already queued or running. Resume this one after it ends.`);
  }
  const [run] = await db()
    .update(syncRuns)
    .set({ status: "queued", errorMessage: null, finishedAt: null })
    .where(and(eq(syncRuns.id, runId), eq(syncRuns.tenantId, tenantId), eq(syncRuns.status, "failed")))
    .returning();
  if (!run) throw new AppError("not_resumable", 409, "Only a failed sync can be resumed.");
  return run;
}
