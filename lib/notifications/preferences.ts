import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { notificationPreferences, type Role } from "@/db/schema";
import { can } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { EVENT_TYPES, eventTitle, isEventType, permissionFor, type EventType } from "./events";

// Each member's email preferences on a tenant: one switch per kind of event their role can act on (they get no email
// of the others). On by default; a member turns kinds off for themselves only.

export interface EmailPreference {
  type: EventType;
  title: string;
  email: boolean;
}

export async function readEmailPreferences(input: { tenantId: string; userId: string; role: Role }): Promise<EmailPreference[]> {
  const rows = await db()
    .select({ eventType: notificationPreferences.eventType, email: notificationPreferences.email })
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.tenantId, input.tenantId), eq(notificationPreferences.userId, input.userId)));
  const chosen = new Map(rows.map((r) => [r.eventType, r.email]));
  return EVENT_TYPES.filter((type) => can(input.role, permissionFor(type))).map((type) => ({ type, title: eventTitle(type), email: chosen.get(type) ?? true }));
}

export async function setEmailPreference(input: { tenantId: string; userId: string; role: Role; eventType: string; email: boolean }): Promise<EmailPreference[]> {
  if (!isEventType(input.eventType) || !can(input.role, permissionFor(input.eventType))) {
    throw new AppError("unknown_event_type", 422, "That kind of notification is not one your role receives. Reload the page and choose again.");
  }
  await db()
    .insert(notificationPreferences)
    .values({ tenantId: input.tenantId, userId: input.userId, eventType: input.eventType, email: input.email })
    .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.tenantId, notificationPreferences.eventType], set: { email: input.email, updatedAt: new Date() } });
  return readEmailPreferences(input);
}
