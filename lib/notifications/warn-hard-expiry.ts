import "server-only";
import { and, eq, gt, lte } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { hardExpiryWarning, HARD_EXPIRY_WARNING_DAYS } from "./rules/hard-expiry";
import { emitEvent } from "./store/outbox";

/** Run by the background sweep every hour: the warnings crossed since, each emitted once (its dedupe key). */
export const HARD_EXPIRY_CHECK_EVERY_MS = 3600_000;

/** Emits the 30- and 7-day warnings due for active connections; returns how many were new. */
export async function warnHardExpiry(now = new Date()): Promise<number> {
  const horizon = new Date(now.getTime() + Math.max(...HARD_EXPIRY_WARNING_DAYS) * 86_400_000);
  const due = await db()
    .select({ id: quickbooksConnections.id, tenantId: quickbooksConnections.tenantId, environment: quickbooksConnections.environment, realmId: quickbooksConnections.realmId, expiresAt: quickbooksConnections.refreshTokenHardExpiresAt })
    .from(quickbooksConnections)
    .where(and(eq(quickbooksConnections.status, "active"), gt(quickbooksConnections.refreshTokenHardExpiresAt, now), lte(quickbooksConnections.refreshTokenHardExpiresAt, horizon)));
  let emitted = 0;
  for (const connection of due) {
    const warning = connection.expiresAt && hardExpiryWarning(connection.expiresAt, now);
    if (!warning) continue;
    const id = await emitEvent(db(), {
      tenantId: connection.tenantId,
      type: "refresh_token.hard_expiry_approaching",
      data: { environment: connection.environment, realmId: connection.realmId, expiresAt: connection.expiresAt!.toISOString(), daysLeft: warning.daysLeft },
      dedupeKey: warning.dedupeKey(connection.id),
      at: now,
    });
    if (id !== null) emitted++;
  }
  return emitted;
}
