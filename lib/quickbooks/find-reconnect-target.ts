import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections } from "@/db/schema";
import { can } from "@/lib/auth/permissions";
import type { Actor } from "@/lib/auth/session";
import { listMemberships } from "@/lib/auth/users";

/**
 * Which of the user's tenants a reconnect is for: the one holding the realm Intuit names, if the user may connect
 * it; else the active tenant. Returns the actor acting on that tenant, or null when the user may not connect it.
 */
export async function findReconnectTarget(actor: Actor, realmId: string | null): Promise<Actor | null> {
  if (realmId) {
    const holders = await db()
      .select({ tenantId: quickbooksConnections.tenantId })
      .from(quickbooksConnections)
      .where(and(eq(quickbooksConnections.realmId, realmId), ne(quickbooksConnections.status, "not_connected")));
    const memberships = await listMemberships(db(), actor.userId);
    const match = memberships.find((m) => holders.some((h) => h.tenantId === m.tenantId));
    if (match) {
      const target: Actor = { ...actor, tenantId: match.tenantId, tenantName: match.tenantName, role: match.role };
      return can(target.role, "quickbooks.connect") ? target : null;
    }
  }
  return can(actor.role, "quickbooks.connect") ? actor : null;
}
