import type { Metadata } from "next";
import { headers } from "next/headers";
import { IntuitSettingsForm } from "@/components/quickbooks/IntuitSettingsForm";
import { PortalUrls } from "@/components/quickbooks/PortalUrls";
import { requestMetaFrom } from "@/lib/audit/record";
import { requirePageActor } from "@/lib/auth/guard";
import { getIntuitSettings } from "@/lib/quickbooks/get-intuit-settings";

export const metadata: Metadata = { title: "Intuit settings" };

export default async function SettingsPage() {
  const actor = await requirePageActor("credentials.manage");
  const meta = requestMetaFrom(new Request("http://local/", { headers: new Headers(await headers()) }));
  const settings = await getIntuitSettings(actor.tenantId, actor.userId, meta);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Intuit settings</h1>
        <p className="mt-1 text-sm text-slate-600">
          The Intuit app that {actor.tenantName} connects through. Only admins see this page; every view and change is recorded.
        </p>
      </div>
      <IntuitSettingsForm tenantId={actor.tenantId} initial={settings} />
      <PortalUrls urls={settings.portalUrls} />
    </div>
  );
}
