import { apiFetch } from "@/components/api-client";
import { TENANT_QUERY } from "@/lib/http/tenant-binding";
import type { ConnectionStatusView } from "@/lib/quickbooks/get-connection-status";

// The connection's routes, as the console and the readiness page call them, each for the tenant the page was
// rendered for.

/** Keyed by tenant: after a tenant switch the browser must never show the previous tenant's cached status. */
export const statusQueryKey = (tenantId: string) => ["quickbooks", "status", tenantId] as const;

export const fetchStatus = (tenantId: string) => apiFetch<ConnectionStatusView>("/api/quickbooks/status", { tenantId });
export const postVerify = (tenantId: string) => apiFetch<{ verified: { companyName: string } }>("/api/quickbooks/verify", { method: "POST", tenantId });
export const postRefresh = (tenantId: string) =>
  apiFetch<{ renewed: { renewed: boolean; accessTokenExpiresAt: string | null } }>("/api/quickbooks/refresh", { method: "POST", tenantId });
export const postDisconnect = (tenantId: string) =>
  apiFetch<{ disconnected: boolean; revocation: { status: "revoked" | "failed" | "none"; message: string } }>("/api/quickbooks/disconnect", {
    method: "POST",
    tenantId,
  });
export const postChecks = (tenantId: string) => apiFetch<ConnectionStatusView>("/api/quickbooks/checks", { method: "POST", tenantId });
export const postTestWebhook = (tenantId: string) =>
  apiFetch<{ endpointStatus: number; eventId: string }>("/api/quickbooks/webhooks/test", { method: "POST", tenantId });
/** The Reconnect page's button: `tenantId` is the tenant the page names, which the session switches to if needed. */
export const postReconnect = (tenantId: string) => apiFetch<{ authorizationUrl: string }>("/api/quickbooks/reconnect", { method: "POST", tenantId });

/** The Connect link: a GET, so it names its tenant in the query (a link cannot send the header). */
export const connectHref = (tenantId: string) => `/api/quickbooks/connect?${TENANT_QUERY}=${encodeURIComponent(tenantId)}`;
