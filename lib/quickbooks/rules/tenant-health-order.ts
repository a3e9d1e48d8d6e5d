import { z } from "zod";

// How the "All tenants" page orders and pages its rows: the query string it accepts and the health ranks it sorts
// worst first by (computed in SQL by listTenantHealth from the connection row alone).

export const TENANT_HEALTH_PAGE_SIZE = 50;
export const TENANT_HEALTH_SORTS = ["health", "name", "last_verify", "refresh_expiry"] as const;
export type TenantHealthSort = (typeof TENANT_HEALTH_SORTS)[number];
export type SortDirection = "asc" | "desc";

/** The page's query string; anything unknown falls back to the default (worst first, page 1) instead of an error. */
export const tenantHealthQuerySchema = z.object({
  sort: z.enum(TENANT_HEALTH_SORTS).catch("health"),
  dir: z.enum(["asc", "desc"]).catch("asc"),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});
export type TenantHealthQuery = z.infer<typeof tenantHealthQuerySchema>;

/** Health ranks, worst first: the default sort. */
export const HEALTH_RANK = {
  /** Reauthorization required, or disconnected: the tenant must reconnect. */
  reconnect: 0,
  /** Never connected, or an authorization that was started and not finished. */
  notConnected: 1,
  /** Tokens received, but not verified yet. */
  notVerified: 2,
  /** Active, but with an unresolved error, no tokens, or an expired refresh token. */
  failing: 3,
  /** Active, but the last Verify is a week old or more: the indicator is red for age. */
  verifyStale: 4,
  healthy: 5,
} as const;
