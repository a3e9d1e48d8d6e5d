import "server-only";
import { db } from "@/db";
import { recordAudit } from "@/lib/audit/record";
import { updateSession } from "./auth";
import type { SessionResolution } from "./session";
import { findMembership } from "./users";

export interface SwitchTenantOptions {
  /** The caller's session: an active tenant, or one the user no longer belongs to (the switcher is their way out). */
  session: Exclude<SessionResolution, { kind: "signed_out" }>;
  tenantId: string;
}

/**
 * Makes `tenantId` the session's active tenant, only if the user belongs to it, and records auth.tenant_switched
 * (from: the previous active tenant, null when the session had none the user still belonged to). Returns false,
 * changing nothing, for a tenant the user does not belong to.
 */
export async function switchTenant({ session, tenantId }: SwitchTenantOptions): Promise<boolean> {
  const userId = session.kind === "actor" ? session.actor.userId : session.userId;
  const membership = await findMembership(userId, tenantId);
  if (!membership) return false;
  await updateSession({ tenantId: membership.tenantId } as never);
  await recordAudit(db(), {
    tenantId: membership.tenantId,
    actorUserId: userId,
    action: "auth.tenant_switched",
    outcome: "success",
    details: { from: session.kind === "actor" ? session.actor.tenantId : null },
  });
  return true;
}
