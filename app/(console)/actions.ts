"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { signOut } from "@/lib/auth/auth";
import { resolveSession } from "@/lib/auth/session";
import { switchTenant } from "@/lib/auth/switch-tenant";

/** Switches the session's active tenant; only to a tenant the user belongs to (switchTenant checks). */
export async function switchTenantAction(formData: FormData): Promise<void> {
  const session = await resolveSession(new Headers(await headers()));
  if (session.kind === "signed_out") redirect("/login");
  const tenantId = z.uuid().safeParse(formData.get("tenantId"));
  if (!tenantId.success) return;
  if (!(await switchTenant({ session, tenantId: tenantId.data }))) return;
  // Every page shows the active tenant: drop whatever the browser's router cached for the previous one.
  revalidatePath("/", "layout");
  redirect("/integrations/quickbooks");
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
