// The tenant binding (contract, "Tenant binding"): a console page sends the tenant it was rendered for with every
// request it makes, so that a tab left open on Acme cannot act on Globex after the session switched tenant in another
// tab (or by a link). Pure: the browser's API client reads the header's name from here, the route gate the rest.

/** The header a console page names its tenant in (the tenant's id). */
export const TENANT_HEADER = "x-qbc-tenant";

/** A link (Connect starts an authorization with a GET) cannot send a header: it names its tenant in `?tenant=`. */
export const TENANT_QUERY = "tenant";

/**
 * The tenant a request says it is for: the header, or, for a GET or HEAD (a link), the `tenant` query parameter.
 * Null when it names none. A request that sends the header twice names "a, b", which matches no tenant.
 */
export function tenantClaimOf(req: Request): string | null {
  const header = req.headers.get(TENANT_HEADER);
  if (header !== null) return header.trim();
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  try {
    return new URL(req.url).searchParams.get(TENANT_QUERY)?.trim() ?? null;
  } catch {
    return null;
  }
}

export type TenantBinding = { kind: "bound" } | { kind: "unbound" } | { kind: "missing" } | { kind: "mismatch"; claimed: string };

/**
 * How a session request's claim stands against the session's active tenant. `changes`: the request changes
 * something, and so must name its tenant. A request that only reads may name none (a page load, a CSV link), but
 * when it names one (the console's status poll), it must be the active one.
 */
export function tenantBinding(claim: string | null, activeTenantId: string, changes: boolean): TenantBinding {
  if (claim === null || claim === "") return changes ? { kind: "missing" } : { kind: "unbound" };
  return claim.toLowerCase() === activeTenantId.toLowerCase() ? { kind: "bound" } : { kind: "mismatch", claimed: claim };
}

/**
 * What a person reads when a page of one tenant acts after the session moved to another. `pageTenantName` is null
 * when the claimed tenant is not one of the user's (a name is only ever shown to its members).
 */
export function tenantMismatchMessage(pageTenantName: string | null, activeTenantName: string): string {
  const page = pageTenantName ?? "another tenant";
  return `This page is for ${page}, but your session now acts for ${activeTenantName}. Nothing was changed. Reload to continue.`;
}

export const TENANT_REQUIRED_MESSAGE =
  "This request does not say which tenant it is for, so nothing was changed. Reload the page and try again.";
