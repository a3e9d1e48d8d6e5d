import "server-only";
import { desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { callbackLogs, refreshLogs, users } from "@/db/schema";

/** The latest rows of a tenant's callback log, newest first; the tenant filter is inside the query. */
export async function latestCallbackLogs(tenantId: string, limit = 100) {
  return db()
    .select({
      id: callbackLogs.id,
      createdAt: callbackLogs.createdAt,
      outcome: callbackLogs.outcome,
      errorCode: callbackLogs.errorCode,
      message: callbackLogs.message,
      realmId: callbackLogs.realmId,
      intuitTid: callbackLogs.intuitTid,
      latencyMs: callbackLogs.latencyMs,
      userEmail: users.email,
    })
    .from(callbackLogs)
    .leftJoin(users, eq(users.id, callbackLogs.userId))
    .where(eq(callbackLogs.tenantId, tenantId))
    .orderBy(desc(callbackLogs.createdAt), desc(callbackLogs.id))
    .limit(limit);
}

export async function latestRefreshLogs(tenantId: string, limit = 100) {
  return db()
    .select({
      id: refreshLogs.id,
      createdAt: refreshLogs.createdAt,
      trigger: refreshLogs.trigger,
      outcome: refreshLogs.outcome,
      errorCode: refreshLogs.errorCode,
      message: refreshLogs.message,
      intuitTid: refreshLogs.intuitTid,
      oldAccessExpiresAt: refreshLogs.oldAccessExpiresAt,
      newAccessExpiresAt: refreshLogs.newAccessExpiresAt,
      newRefreshExpiresAt: refreshLogs.newRefreshExpiresAt,
      refreshTokenRotated: refreshLogs.refreshTokenRotated,
      durationMs: refreshLogs.durationMs,
    })
    .from(refreshLogs)
    .where(eq(refreshLogs.tenantId, tenantId))
    .orderBy(desc(refreshLogs.createdAt), desc(refreshLogs.id))
    .limit(limit);
}
