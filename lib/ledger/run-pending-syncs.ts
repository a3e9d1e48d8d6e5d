import "server-only";
import { db } from "@/db";
import { syncRuns } from "@/db/schema";
import { runSync } from "./run-sync";
import { claimable } from "./store/sync-runs";

/** The sweep: queued runs, and running ones abandoned by a dead process, oldest first. Returns how many it ran. */
export async function runPendingSyncs(now = new Date(), limit = 5): Promise<number> {
  const due = await db().select({ id: syncRuns.id }).from(syncRuns).where(claimable(now)).orderBy(syncRuns.createdAt).limit(limit);
  let ran = 0;
  for (const { id } of due) if (await runSync(id, { now })) ran++;
  return ran;
}
