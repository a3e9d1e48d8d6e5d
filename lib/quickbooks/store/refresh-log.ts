import "server-only";
import type { Executor } from "@/db";
import { refreshLogs } from "@/db/schema";
import { metrics } from "@/lib/ops/metrics";

export type RefreshTrigger = (typeof refreshLogs.$inferInsert)["trigger"];
export type RefreshLogEntry = Omit<typeof refreshLogs.$inferInsert, "id" | "createdAt">;

/** One row per renewal attempt; the entry type has no field that could hold a token. */
export async function writeRefreshLog(executor: Executor, entry: RefreshLogEntry): Promise<void> {
  await executor.insert(refreshLogs).values({ ...entry, durationMs: Math.max(0, Math.round(entry.durationMs)) });
  metrics().tokenRenewals.inc({ trigger: entry.trigger, outcome: entry.outcome });
}
