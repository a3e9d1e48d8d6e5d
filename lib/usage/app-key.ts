// The Intuit app a call is metered against. Intuit meters CorePlus reads per workspace (all of a platform's production
// apps together), so the platform's own app is one meter, and each tenant that entered its own app is another.

export const PLATFORM_APP_KEY = "platform";

/** "platform", or "tenant:<id>" for a tenant's own Intuit app; null when there is no app to call with. */
export function intuitAppKeyOf(credentialsSource: "tenant" | "platform" | "none", tenantId: string): string | null {
  if (credentialsSource === "platform") return PLATFORM_APP_KEY;
  if (credentialsSource === "tenant") return `tenant:${tenantId}`;
  return null;
}

/** The tenant whose own app a key names, or null for the platform's. */
export function tenantOfAppKey(appKey: string): string | null {
  return appKey.startsWith("tenant:") ? appKey.slice("tenant:".length) : null;
}
