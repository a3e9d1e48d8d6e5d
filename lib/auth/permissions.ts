import type { Role } from "@/db/schema";

/**
 * The permission matrix, written once: which role may do which action on its own tenant, and which actions the
 * platform operator's flag adds (on whatever tenant is active: the flag is a person's, not a tenant role's).
 * Every route handler, server action and page asks `allows()` through lib/auth/guard.ts.
 */
export const ACTIONS = [
  "quickbooks.status.read",
  "quickbooks.connect",
  "quickbooks.verify",
  "quickbooks.refresh",
  "quickbooks.disconnect",
  "logs.read",
  "logs.export",
  "credentials.manage",
  // Re-queue dead-lettered webhook events, and send a test webhook through the emulator.
  "webhooks.manage",
  // The all-tenants health table: only tenants where the user is an admin are listed.
  "tenants.overview",
  // Create, list, rotate and revoke the tenant's API keys. Never granted to an API key.
  "apikeys.manage",
  // The health dashboard: API calls and errors, throttling, webhook delays and renewals of the tenant.
  "health.read",
  // Account mappings, sync runs and reconciliations: reading them (and exporting runs and reconciliations as CSV).
  "mappings.read",
  // Change mappings, fetch the QuickBooks chart and validate the mapping set against it.
  "mappings.manage",
  // Start or resume a sync run.
  "sync.run",
  // Create reconciliations, explain differences, close the month.
  "reconciliation.manage",
  // AWRA's own chart of accounts and balances (the ledger side of a reconciliation): list it, and load it by CSV or JSON.
  "ledger.read",
  "ledger.write",
  // Intuit's metered reads (the usage page, its CSV): an admin sees the tenant's own reads and the app-wide totals of
  // the Intuit app the tenant uses, never another tenant's; the platform operator sees every app and tenant.
  "usage.read",
  // The plan (tier, quota, month start, background share) of the tenant's own Intuit app, when it has one.
  "usage.plan.manage",
  // The plan of the platform's own Intuit app: the platform operator's alone, never a tenant role's.
  "platform.plan.manage",
  // The notification inbox and one's own email preferences: every member, for themselves. Never an API key's.
  "notifications.read",
  // The tenant's outbound webhook endpoints: register, change, rotate secrets, send a test, read their delivery logs.
  "notifications.endpoints.manage",
] as const;
export type Action = (typeof ACTIONS)[number];

/** Actions no tenant role grants, however high: only the platform operator's flag does. */
export const PLATFORM_ONLY_ACTIONS = ["platform.plan.manage"] as const satisfies readonly Action[];

/** What the platform operator's flag grants on the active tenant, whatever the operator's role there. */
export const OPERATOR_ACTIONS: ReadonlySet<Action> = new Set<Action>(["usage.read", "platform.plan.manage"]);

const isPlatformOnly = (action: Action) => (PLATFORM_ONLY_ACTIONS as readonly Action[]).includes(action);

const MATRIX: Record<Role, ReadonlySet<Action>> = {
  accountant: new Set<Action>([
    "quickbooks.status.read",
    "quickbooks.connect",
    "quickbooks.verify",
    "quickbooks.refresh",
    "quickbooks.disconnect",
    "health.read",
    "mappings.read",
    "mappings.manage",
    "sync.run",
    "reconciliation.manage",
    "ledger.read",
    "ledger.write",
    "notifications.read",
  ]),
  admin: new Set<Action>(ACTIONS.filter((action) => !isPlatformOnly(action))),
  auditor: new Set<Action>(["quickbooks.status.read", "logs.read", "logs.export", "health.read", "mappings.read", "ledger.read", "notifications.read"]),
};

/** What a tenant role alone may do. Pages and routes ask `allows()`, which adds the platform operator's flag. */
export function can(role: Role, action: Action): boolean {
  return MATRIX[role].has(action);
}

/** A person acting on a tenant: their role there, and whether they are the platform operator. */
export interface Principal {
  role: Role;
  isPlatformOperator: boolean;
}

/** The one decision: the role's grant, or the operator's. */
export function allows(principal: Principal, action: Action): boolean {
  return can(principal.role, action) || (principal.isPlatformOperator && OPERATOR_ACTIONS.has(action));
}

/**
 * API key scopes: a closed list, each granting a fixed set of the actions above on the key's own tenant. A key can
 * never do more than its scopes grant, and no scope grants credentials, settings, connect, disconnect, renewals,
 * webhooks, the all-tenants table, key management or an Intuit app's plan (KEY_NEVER_ACTIONS; checked below at compile time and by
 * tests/permission-matrix.test.ts at run time).
 */
export const API_KEY_SCOPES = ["status:read", "logs:read", "logs:export", "verify:trigger", "ledger:read", "ledger:write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const SCOPE_ACTIONS = {
  // GET /api/quickbooks/status, GET /api/quickbooks/verify-file
  "status:read": ["quickbooks.status.read"],
  // Reading the logs (no route handler serves them as JSON yet; the scope is reserved for it).
  "logs:read": ["logs.read"],
  // GET /api/quickbooks/logs/{callback|refresh|webhook|access}.csv
  "logs:export": ["logs.export"],
  // POST /api/quickbooks/verify (and POST /api/quickbooks/checks, which re-runs the readiness checks it needs)
  "verify:trigger": ["quickbooks.verify"],
  // GET /api/quickbooks/ledger
  "ledger:read": ["ledger.read"],
  // POST /api/quickbooks/ledger (AWRA's systems load the chart and balances; each load is audited as ledger.imported)
  "ledger:write": ["ledger.write"],
} as const satisfies Record<ApiKeyScope, readonly Action[]>;

/** The actions some scope grants: requireActor() may answer them with an API key principal. */
export type ApiKeyAction = (typeof SCOPE_ACTIONS)[ApiKeyScope][number];

/** Never reachable with an API key, whatever its scopes. */
export const KEY_NEVER_ACTIONS = [
  "quickbooks.connect",
  "quickbooks.disconnect",
  "quickbooks.refresh",
  "credentials.manage",
  "webhooks.manage",
  "tenants.overview",
  "apikeys.manage",
  "usage.plan.manage",
  "platform.plan.manage",
  "notifications.read",
  "notifications.endpoints.manage",
] as const satisfies readonly Action[];
// A compile error here means a scope grants one of KEY_NEVER_ACTIONS.
const _keysNeverGrant: Extract<ApiKeyAction, (typeof KEY_NEVER_ACTIONS)[number]> extends never ? true : never = true;
void _keysNeverGrant;

/** Uses of these scopes are written to the audit trail, every time (status reads are not: see lib/auth/guard.ts). */
export const SENSITIVE_SCOPES: ReadonlySet<ApiKeyScope> = new Set<ApiKeyScope>(["logs:export", "verify:trigger"]);

export const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  "status:read": "Read the connection status and download the company verify file",
  "logs:read": "Read the logs",
  "logs:export": "Export the logs as CSV",
  "verify:trigger": "Trigger a Verify (a test call to QuickBooks)",
  "ledger:read": "Read AWRA's chart of accounts and balances",
  "ledger:write": "Load AWRA's chart of accounts and balances (CSV or JSON)",
};

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** The scope of `scopes` that grants `action`, or null when none does. */
export function scopeGranting(scopes: readonly ApiKeyScope[], action: Action): ApiKeyScope | null {
  return scopes.find((scope) => (SCOPE_ACTIONS[scope] as readonly Action[]).includes(action)) ?? null;
}

/**
 * Which action each route handler asks requireActor() for: the test (tests/permission-matrix.test.ts) walks every
 * route file under app/api, fails on one missing here, and derives every expected status from can() and the scopes.
 */
export const ROUTE_ACTIONS = {
  "GET /api/quickbooks/status": "quickbooks.status.read",
  "GET /api/quickbooks/verify-file": "quickbooks.status.read",
  "GET /api/quickbooks/connect": "quickbooks.connect",
  // The Reconnect page's button: the role asked for is the one on the tenant the page names (requireNamedTenantActor).
  "POST /api/quickbooks/reconnect": "quickbooks.connect",
  "POST /api/quickbooks/verify": "quickbooks.verify",
  "POST /api/quickbooks/checks": "quickbooks.verify",
  "POST /api/quickbooks/refresh": "quickbooks.refresh",
  "POST /api/quickbooks/disconnect": "quickbooks.disconnect",
  "GET /api/quickbooks/settings": "credentials.manage",
  "PUT /api/quickbooks/settings": "credentials.manage",
  "POST /api/quickbooks/webhooks/retry": "webhooks.manage",
  "POST /api/quickbooks/webhooks/test": "webhooks.manage",
  "GET /api/quickbooks/logs/[file]": "logs.export",
  "GET /api/quickbooks/api-keys": "apikeys.manage",
  "POST /api/quickbooks/api-keys": "apikeys.manage",
  "POST /api/quickbooks/api-keys/[id]/revoke": "apikeys.manage",
  "POST /api/quickbooks/api-keys/[id]/rotate": "apikeys.manage",
  "GET /api/quickbooks/ledger": "ledger.read",
  "POST /api/quickbooks/ledger": "ledger.write",
  "GET /api/quickbooks/mappings": "mappings.read",
  "PUT /api/quickbooks/mappings/[ledgerAccountId]": "mappings.manage",
  "POST /api/quickbooks/mappings/production/confirm": "mappings.manage",
  "POST /api/quickbooks/mappings/production/resolve": "mappings.manage",
  "POST /api/quickbooks/mappings/suggest": "mappings.manage",
  "POST /api/quickbooks/mappings/validate": "mappings.manage",
  "GET /api/quickbooks/notifications": "notifications.read",
  "POST /api/quickbooks/notifications/read": "notifications.read",
  "GET /api/quickbooks/notifications/preferences": "notifications.read",
  "PUT /api/quickbooks/notifications/preferences": "notifications.read",
  "GET /api/quickbooks/notifications/endpoints": "notifications.endpoints.manage",
  "POST /api/quickbooks/notifications/endpoints": "notifications.endpoints.manage",
  "PATCH /api/quickbooks/notifications/endpoints/[id]": "notifications.endpoints.manage",
  "DELETE /api/quickbooks/notifications/endpoints/[id]": "notifications.endpoints.manage",
  "POST /api/quickbooks/notifications/endpoints/[id]/rotate": "notifications.endpoints.manage",
  "POST /api/quickbooks/notifications/endpoints/[id]/test": "notifications.endpoints.manage",
  "GET /api/quickbooks/notifications/endpoints/[id]/deliveries": "notifications.endpoints.manage",
  "GET /api/quickbooks/qbo-accounts": "mappings.read",
  "GET /api/quickbooks/sync": "mappings.read",
  "POST /api/quickbooks/sync": "sync.run",
  "GET /api/quickbooks/sync/[id]": "mappings.read",
  "POST /api/quickbooks/sync/[id]/resume": "sync.run",
  "GET /api/quickbooks/sync/runs.csv": "mappings.read",
  "GET /api/quickbooks/reconciliations": "mappings.read",
  "POST /api/quickbooks/reconciliations": "reconciliation.manage",
  "GET /api/quickbooks/reconciliations/settings": "mappings.read",
  "PUT /api/quickbooks/reconciliations/settings": "reconciliation.manage",
  "GET /api/quickbooks/reconciliations/[id]": "mappings.read",
  "PUT /api/quickbooks/reconciliations/[id]/lines/[lineId]": "reconciliation.manage",
  "POST /api/quickbooks/reconciliations/[id]/close": "reconciliation.manage",
  "GET /api/quickbooks/reconciliations/[id]/csv": "mappings.read",
  "GET /api/quickbooks/usage/daily.csv": "usage.read",
  "PUT /api/quickbooks/usage/plan": "usage.plan.manage",
  "PUT /api/quickbooks/usage/platform-plan": "platform.plan.manage",
} as const satisfies Record<string, Action>;

/**
 * Which action each console page asks requirePageActor() for: tests/permission-matrix.test.ts walks every page file
 * under app/(console), fails on one missing here, and checks that the page asks for exactly this action.
 */
export const PAGE_ACTIONS = {
  "/integrations/quickbooks": "quickbooks.status.read",
  "/integrations/quickbooks/readiness": "quickbooks.status.read",
  "/integrations/quickbooks/logs": "logs.read",
  "/integrations/quickbooks/settings": "credentials.manage",
  "/integrations/quickbooks/tenants": "tenants.overview",
  "/integrations/quickbooks/api-keys": "apikeys.manage",
  "/integrations/quickbooks/health": "health.read",
  "/integrations/quickbooks/mappings": "mappings.read",
  "/integrations/quickbooks/reconciliation": "mappings.read",
  "/integrations/quickbooks/usage": "usage.read",
  "/integrations/quickbooks/notifications": "notifications.read",
} as const satisfies Record<string, Action>;
