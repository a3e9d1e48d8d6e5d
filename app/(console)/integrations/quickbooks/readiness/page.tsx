import type { Metadata } from "next";
import { ReadinessPanel } from "@/components/quickbooks/ReadinessPanel";
import { requirePageActor } from "@/lib/auth/guard";
import { can } from "@/lib/auth/permissions";
import { getConnectionStatus } from "@/lib/quickbooks/get-connection-status";

export const metadata: Metadata = { title: "QuickBooks readiness" };

export default async function ReadinessPage() {
  const actor = await requirePageActor("quickbooks.status.read");
  const status = await getConnectionStatus(actor.tenantId);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Sync readiness</h1>
        <p className="mt-1 text-sm text-slate-600">
          Whether {actor.tenantName}&apos;s QuickBooks integration is ready to sync, computed from the live state: each check shows what it saw
          and, when it fails, what to do.
        </p>
      </div>
      <ReadinessPanel
        tenantId={actor.tenantId}
        initialStatus={status}
        permissions={{
          rerun: can(actor.role, "quickbooks.verify"),
          connect: can(actor.role, "quickbooks.connect"),
          refresh: can(actor.role, "quickbooks.refresh"),
          disconnect: can(actor.role, "quickbooks.disconnect"),
          manageCredentials: can(actor.role, "credentials.manage"),
        }}
      />
    </div>
  );
}
