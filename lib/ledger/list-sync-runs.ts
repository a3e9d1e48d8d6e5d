import "server-only";
import { desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { syncRuns } from "@/db/schema";
import type { SyncRun } from "./store/sync-runs";

/** The latest runs of the tenant, newest first, for the page and the run log. */
export async function listSyncRuns(tenantId: string, limit = 20): Promise<SyncRun[]> {
  return db().select().from(syncRuns).where(eq(syncRuns.tenantId, tenantId)).orderBy(desc(syncRuns.createdAt), desc(syncRuns.id)).limit(limit);
}
