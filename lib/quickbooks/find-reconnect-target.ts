import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections, tenantIntuitSettings } from "@/db/schema";
import { can } from "@/lib/auth/permissions";
import type { Actor } from "@/lib/auth/session";
import { listMemberships } from "@/lib/auth/users";
import { env } from "@/lib/env";
import { intuitAppFor } from "./client/intuit-app";
import { findConnection } from "./store/connections";

/** What the Reconnect page shows before anything happens: the tenant a reconnect is for, and its company. */
export interface ReconnectTarget {
  /** The user acting on that tenant (its role there). */
  actor: Actor;
  /** The tenant's connection as stored: which company, in what state (null when it never connected). */
  connection: { companyName: string | null; realmId: string | null; status: string } | null;
}

/**
 * Which of the user's tenants a reconnect is for: the one holding the realm Intuit names, if the user may connect
 * it; else the active tenant. Null when the user may not connect it. Reads only: the Reconnect URL is a GET that any
 * link can trigger, so the switch and the authorization wait for the page's button (POST /api/quickbooks/reconnect).
 */
export async function findReconnectTarget(actor: Actor, realmId: string | null): Promise<ReconnectTarget | null> {
  const target = await targetActor(actor, realmId);
  if (!target) return null;
  const app = await intuitAppFor(target.tenantId);
  const row = await findConnection(db(), target.tenantId, app.environment);
  return { actor: target, connection: row && { companyName: row.companyName, realmId: row.realmId, status: row.status } };
}

async function targetActor(actor: Actor, realmId: string | null): Promise<Actor | null> {
  if (realmId) {
    const c = quickbooksConnections;
    // The realm in the environment each tenant works in (its chosen one, else the platform's): a sandbox company and
    // a production one may have the same id, and a reconnect is for the company the tenant's Connect would replace.
    const holders = await db()
      .select({ tenantId: c.tenantId })
      .from(c)
      .leftJoin(tenantIntuitSettings, eq(tenantIntuitSettings.tenantId, c.tenantId))
      .where(and(eq(c.realmId, realmId), ne(c.status, "not_connected"), eq(c.environment, sql`coalesce(${tenantIntuitSettings.environment}, ${env().intuit.environment}::intuit_environment)`)));
    const memberships = await listMemberships(db(), actor.userId);
    const match = memberships.find((m) => holders.some((h) => h.tenantId === m.tenantId));
    if (match) {
      const target: Actor = { ...actor, tenantId: match.tenantId, tenantName: match.tenantName, role: match.role };
      return can(target.role, "quickbooks.connect") ? target : null;
    }
  }
  return can(actor.role, "quickbooks.connect") ? actor : null;
}
