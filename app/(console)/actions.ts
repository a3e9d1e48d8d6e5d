"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db";
import { recordAudit } from "@/lib/audit/record";
import { signOut, updateSession } from "@/lib/auth/auth";
import { currentActor } from "@/lib/auth/session";
import { findMembership } from "@/lib/auth/users";

/** Switches the session's active tenant; only to a tenant the user belongs to. */
export async function switchTenantAction(formData: FormData): Promise<void> {
  const actor = await currentActor();
  if (!actor) redirect("/login");
  const tenantId = z.uuid().safeParse(formData.get("tenantId"));
  if (!tenantId.success) return;
  const membership = await findMembership(db(), actor.userId, tenantId.data);
  if (!membership) return;
  await updateSession({ tenantId: membership.tenantId } as never);
  await recordAudit(db(), {
    tenantId: membership.tenantId,
    actorUserId: actor.userId,
    action: "auth.tenant_switched",
    outcome: "success",
    details: { from: actor.tenantId },
  });
  redirect("/integrations/quickbooks");
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
