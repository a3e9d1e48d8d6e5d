import { env } from "@/lib/env";

/** The URLs an admin pastes into Intuit's developer portal, from the contract. */
export function intuitPortalUrls() {
  const base = env().appUrl;
  return [
    { label: "Redirect URI", url: `${base}/api/quickbooks/callback`, where: "Keys & credentials → Redirect URIs" },
    { label: "Launch URL", url: `${base}/integrations/quickbooks`, where: "App URLs → Launch URL" },
    { label: "Disconnect URL", url: `${base}/quickbooks/disconnected`, where: "App URLs → Disconnect URL" },
    { label: "Reconnect URL", url: `${base}/quickbooks/reconnect`, where: "App URLs → Reconnect URL" },
    { label: "Webhook endpoint", url: `${base}/api/quickbooks/webhooks`, where: "Webhooks → Endpoint URL" },
  ];
}
