import { apiFetch } from "@/components/api-client";
import type { ConnectionStatusView } from "@/lib/quickbooks/get-connection-status";

// The connection's routes, as the console and the readiness page call them.

/** Keyed by tenant: after a tenant switch the browser must never show the previous tenant's cached status. */
export const statusQueryKey = (tenantId: string) => ["quickbooks", "status", tenantId] as const;

export const fetchStatus = () => apiFetch<ConnectionStatusView>("/api/quickbooks/status");
export const postVerify = () => apiFetch<{ verified: { companyName: string } }>("/api/quickbooks/verify", { method: "POST" });
export const postRefresh = () =>
  apiFetch<{ renewed: { renewed: boolean; accessTokenExpiresAt: string | null } }>("/api/quickbooks/refresh", { method: "POST" });
export const postDisconnect = () =>
  apiFetch<{ disconnected: boolean; revocation: { status: "revoked" | "failed" | "none"; message: string } }>("/api/quickbooks/disconnect", {
    method: "POST",
  });
export const postChecks = () => apiFetch<ConnectionStatusView>("/api/quickbooks/checks", { method: "POST" });
export const postTestWebhook = () => apiFetch<{ endpointStatus: number; eventId: string }>("/api/quickbooks/webhooks/test", { method: "POST" });
