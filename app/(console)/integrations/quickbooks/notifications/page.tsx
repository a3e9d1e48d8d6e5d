import type { Metadata } from "next";
import { serialized } from "@/components/quickbooks/ledger-api";
import { NotificationsConsole } from "@/components/quickbooks/NotificationsConsole";
import { requirePageActor } from "@/lib/auth/guard";
import { allows } from "@/lib/auth/permissions";
import { env } from "@/lib/env";
import { listEndpoints } from "@/lib/notifications/endpoints";
import { listInbox } from "@/lib/notifications/inbox";
import { readEmailPreferences } from "@/lib/notifications/preferences";

export const metadata: Metadata = { title: "Notifications" };

/**
 * Who is told what: the tenant's events (the inbox) with what to do about each, the signed-in member's email
 * preferences, and, for admins, the outbound webhook endpoints of AWRA's systems with their delivery logs.
 */
export default async function NotificationsPage() {
  const actor = await requirePageActor("notifications.read");
  const canManageEndpoints = allows(actor, "notifications.endpoints.manage");
  const member = { tenantId: actor.tenantId, userId: actor.userId, role: actor.role };
  const [inbox, preferences, endpoints] = await Promise.all([listInbox(member), readEmailPreferences(member), canManageEndpoints ? listEndpoints(actor.tenantId) : null]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Notifications</h1>
        <p className="mt-1 text-sm text-slate-600">
          What needs {actor.tenantName}&apos;s attention with QuickBooks: every event is listed here, emailed to the members whose role can act on
          it, and posted to the tenant&apos;s webhook endpoints.
        </p>
      </div>
      <NotificationsConsole
        tenantId={actor.tenantId}
        initialInbox={serialized(inbox)}
        initialPreferences={preferences}
        emailConfigured={env().mail.smtpUrl !== null}
        initialEndpoints={endpoints && serialized(endpoints)}
      />
    </div>
  );
}
