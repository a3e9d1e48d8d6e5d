// Intuit's Accounting API operations the product calls, and how Intuit meters each (intuit.md §9): Core (data in:
// create, update, delete) is not metered; CorePlus (data out: reads, queries, CompanyInfo, change data capture,
// reports) is, per workspace and month. One table, used by the API client to count its calls and by the emulator to
// meter them, so the two cannot disagree. OAuth endpoints and the sandbox are never metered.

export type MeterCategory = "core" | "coreplus";

export const INTUIT_OPERATIONS = {
  /** GET /v3/company/{realmId}/companyinfo/{realmId} */
  companyinfo: { category: "coreplus", method: "GET", path: /^\/v3\/company\/[^/]+\/companyinfo\/[^/]+$/ },
  /** GET /v3/company/{realmId}/query?query=… */
  query: { category: "coreplus", method: "GET", path: /^\/v3\/company\/[^/]+\/query$/ },
  /** GET /v3/company/{realmId}/cdc?entities=…&changedSince=… */
  cdc: { category: "coreplus", method: "GET", path: /^\/v3\/company\/[^/]+\/cdc$/ },
  /** GET /v3/company/{realmId}/reports/{ReportName}?…: TrialBalance (trial-balance.ts); every report is one CorePlus read. */
  report: { category: "coreplus", method: "GET", path: /^\/v3\/company\/[^/]+\/reports\/[^/]+$/ },
} as const satisfies Record<string, { category: MeterCategory; method: string; path: RegExp }>;

export type IntuitOperation = keyof typeof INTUIT_OPERATIONS;

export function meterCategoryOf(operation: IntuitOperation): MeterCategory {
  return INTUIT_OPERATIONS[operation].category;
}

/** The operation an Accounting API request is, from its method and path; null for anything else (OAuth, unknown). */
export function operationOfRequest(method: string, pathname: string): IntuitOperation | null {
  for (const [name, operation] of Object.entries(INTUIT_OPERATIONS) as [IntuitOperation, (typeof INTUIT_OPERATIONS)[IntuitOperation]][]) {
    if (operation.method === method.toUpperCase() && operation.path.test(pathname)) return name;
  }
  return null;
}

/**
 * What caused a call, for the usage page and the governor: a person's action, a sync run, a webhook's follow-up, or
 * the product's own background work (the re-verify, the change-data-capture catch-up, readiness checks).
 */
export const READ_CAUSES = ["user", "sync", "webhook", "reverify", "catch_up", "checks"] as const;
export type ReadCause = (typeof READ_CAUSES)[number];

/** Causes whose reads the product spends on its own, which the governor may slow down. */
export const BACKGROUND_CAUSES: ReadonlySet<ReadCause> = new Set(["reverify", "catch_up", "checks"]);
