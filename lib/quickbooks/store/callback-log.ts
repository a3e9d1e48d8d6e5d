import "server-only";
import type { Executor } from "@/db";
import { callbackLogs } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";

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
}

/** One row per callback, good or bad. The code and tokens are never passed in, so they can never be written. */
export async function writeCallbackLog(executor: Executor, entry: CallbackLogEntry): Promise<void> {
  await executor.insert(callbackLogs).values({ ...entry, latencyMs: Math.max(0, Math.round(entry.latencyMs)) });
}
