"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db";
import { recordAudit } from "@/lib/audit/record";
import { signOut, updateSession } from "@/lib/auth/auth";
import { resolveSession } from "@/lib/auth/session";
import { findMembership } from "@/lib/auth/users";

/** Switches the session's active tenant; only to a tenant the user belongs to. */
export async function switchTenantAction(formData: FormData): Promise<void> {
  const session = await resolveSession(new Headers(await headers()));
  if (session.kind === "signed_out") redirect("/login");
  const userId = session.kind === "actor" ? session.actor.userId : session.userId;
  const tenantId = z.uuid().safeParse(formData.get("tenantId"));
  if (!tenantId.success) return;
  const membership = await findMembership(userId, tenantId.data);
  if (!membership) return;
  await updateSession({ tenantId: membership.tenantId } as never);
  await recordAudit(db(), {
    tenantId: membership.tenantId,
    actorUserId: userId,
    action: "auth.tenant_switched",
    outcome: "success",
    details: { from: session.kind === "actor" ? session.actor.tenantId : null },
  });
  // Every page shows the active tenant: drop whatever the browser's router cached for the previous one.
  revalidatePath("/", "layout");
  redirect("/integrations/quickbooks");
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
