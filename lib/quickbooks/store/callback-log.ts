import "server-only";
import type { Executor } from "@/db";
import { callbackLogs } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";
import { countRepeat, foldKey } from "@/lib/logs/repeat-fold";

export interface CallbackLogEntry {
  tenantId: string | null;
  userId: string | null;
  environment: IntuitEnvironment | null;
  realmId: string | null;
  outcome: "success" | "failure";
  errorCode: string | null;
  message: string;
  intuitTid: string | null;
  latencyMs: number;
  /** The request's address (requestMeta's `ip`): a failure is folded by it. */
  sourceIp?: string | null;
}

/**
 * One row per callback, good or bad. The code and tokens are never passed in, so they can never be written.
 *
 * Anyone can call the callback URL without signing in, so a failed callback without a signed-in user is folded
 * (lib/logs/repeat-fold.ts): the same failure from the same source within the same 10 minutes counts on the first
 * one's row (repeat_count, last_seen_at). "The same" is the same error code, tenant (the one a real but spent,
 * expired or foreign state names), environment and intuit_tid; not the realm id, which the query string carries and
 * a caller can vary at will. So a stranger's flood from one address costs at most one row per code and tenant every
 * 10 minutes. A signed-in user's callback, and every success, is a row of its own: the user is known and answers for
 * it, and the newest row stays the newest event (the Callback step reads it).
 */
export async function writeCallbackLog(executor: Executor, entry: CallbackLogEntry): Promise<void> {
  const row = { ...entry, sourceIp: entry.sourceIp ?? null, latencyMs: Math.max(0, Math.round(entry.latencyMs)) };
  if (entry.outcome === "success" || entry.userId !== null) {
    await executor.insert(callbackLogs).values(row);
    return;
  }
  const key = foldKey("callback", entry.sourceIp, [entry.errorCode, entry.tenantId, entry.environment, entry.intuitTid], new Date());
  await executor
    .insert(callbackLogs)
    .values({ ...row, foldKey: key })
    .onConflictDoUpdate(countRepeat(callbackLogs, callbackLogs.createdAt));
}
