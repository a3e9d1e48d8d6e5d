import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { syncRuns } from "@/db/schema";
import type { SyncRun } from "./store/sync-runs";

/** One run of the tenant (the progress bar polls it), or null when it has none of that id. */
export async function findSyncRun(tenantId: string, runId: number): Promise<SyncRun | null> {
  const [run] = await db().select().from(syncRuns).where(and(eq(syncRuns.tenantId, tenantId), eq(syncRuns.id, runId)));
  return run ?? null;
}
