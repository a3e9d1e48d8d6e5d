import type { ConnectionStatusView } from "@/lib/quickbooks/get-connection-status";

/** Browser-side calls to the app's own routes; errors carry the route's readable message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(input: string, init?: RequestInit): Promise<T> {
  const response = await fetch(input, { ...init, headers: { accept: "application/json", ...init?.headers } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(error?.code ?? "http_error", error?.message ?? `The request failed (${response.status}).`);
  }
  return body as T;
}

/** Keyed by tenant: after a tenant switch the browser must never show the previous tenant's cached status. */
export const statusQueryKey = (tenantId: string) => ["quickbooks", "status", tenantId] as const;

export const fetchStatus = () => call<ConnectionStatusView>("/api/quickbooks/status");
export const postVerify = () => call<{ verified: { companyName: string } }>("/api/quickbooks/verify", { method: "POST" });
export const postRefresh = () =>
  call<{ renewed: { renewed: boolean; accessTokenExpiresAt: string | null } }>("/api/quickbooks/refresh", { method: "POST" });
export const postDisconnect = () =>
  call<{ disconnected: boolean; revocation: { status: "revoked" | "failed" | "none"; message: string } }>("/api/quickbooks/disconnect", {
    method: "POST",
  });
export const postChecks = () => call<ConnectionStatusView>("/api/quickbooks/checks", { method: "POST" });
export const postTestWebhook = () => call<{ endpointStatus: number; eventId: string }>("/api/quickbooks/webhooks/test", { method: "POST" });
