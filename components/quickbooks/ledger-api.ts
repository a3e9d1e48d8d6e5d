import { apiFetch } from "@/components/api-client";
import type { IntuitEnvironment } from "@/lib/env";
import type { getMappingOverview } from "@/lib/ledger/get-mapping-overview";
import type { ProductionResolution } from "@/lib/ledger/resolve-in-production";
import type { readReconciliation } from "@/lib/ledger/read-reconciliation";
import type { searchChart } from "@/lib/ledger/search-chart";
import type { MappingRow } from "@/lib/ledger/store/mapping-set";
import type { ValidationRecord } from "@/lib/ledger/store/mapping-validations";
import type { Reconciliation, ReconciliationLine } from "@/lib/ledger/store/reconciliations";
import type { SyncRun } from "@/lib/ledger/store/sync-runs";

// Browser-side calls to the mapping, sync and reconciliation routes, each for the tenant the page was rendered for,
// and the JSON shapes they answer with (the domain's types with dates as ISO strings, as Response.json writes them).

/** A value as it arrives through JSON: dates become ISO strings. */
export type Serialized<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Serialized<U>[]
    : T extends object
      ? { [K in keyof T]: Serialized<T[K]> }
      : T;

/** What a server page hands to a client component, shaped exactly as the route would have answered. */
export function serialized<T>(value: T): Serialized<T> {
  return JSON.parse(JSON.stringify(value)) as Serialized<T>;
}

export type MappingOverview = Serialized<Awaited<ReturnType<typeof getMappingOverview>>>;
export type MappingView = Serialized<MappingRow>;
export type ValidationView = Serialized<ValidationRecord>;
export type ProductionResolutionView = Serialized<ProductionResolution>;
export type ChartPage = Serialized<Awaited<ReturnType<typeof searchChart>>>;
export type QboAccountOption = ChartPage["accounts"][number];
export type SyncRunView = Serialized<SyncRun>;
export type ReconciliationRead = Serialized<NonNullable<Awaited<ReturnType<typeof readReconciliation>>>>;
export type ReconciliationView = Serialized<Reconciliation>;
export type ReconciliationLineView = Serialized<ReconciliationLine>;

export const ledgerKeys = {
  overview: (tenantId: string) => ["ledger", tenantId, "mappings"] as const,
  chart: (tenantId: string, q: string) => ["ledger", tenantId, "qbo-accounts", q] as const,
  runs: (tenantId: string) => ["ledger", tenantId, "sync-runs"] as const,
  run: (tenantId: string, id: number) => ["ledger", tenantId, "sync-run", id] as const,
  reconciliations: (tenantId: string) => ["ledger", tenantId, "reconciliations"] as const,
  reconciliation: (tenantId: string, id: number) => ["ledger", tenantId, "reconciliation", id] as const,
};

export const fetchOverview = (tenantId: string) => apiFetch<MappingOverview>("/api/quickbooks/mappings", { tenantId });

/** One page of the stored QuickBooks chart, searched by name or type; `after` is the previous page's last account. */
export function fetchChartPage(tenantId: string, q: string, after: { name: string; id: string } | null, limit: number): Promise<ChartPage> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (q.trim() !== "") params.set("q", q.trim());
  if (after) {
    params.set("afterName", after.name);
    params.set("afterId", after.id);
  }
  return apiFetch<ChartPage>(`/api/quickbooks/qbo-accounts?${params}`, { tenantId });
}

export const putMapping = (tenantId: string, ledgerAccountId: string, body: { qboAccountId: string | null; allowShared: boolean }) =>
  apiFetch<{ mapping: MappingView }>(`/api/quickbooks/mappings/${encodeURIComponent(ledgerAccountId)}`, { method: "PUT", body, tenantId });
export const postSuggest = (tenantId: string) => apiFetch<{ mapped: number }>("/api/quickbooks/mappings/suggest", { method: "POST", tenantId });
export const postValidate = (tenantId: string, environment: IntuitEnvironment) =>
  apiFetch<{ validation: ValidationView }>("/api/quickbooks/mappings/validate", { method: "POST", body: { environment }, tenantId });
export const postResolveProduction = (tenantId: string) => apiFetch<ProductionResolutionView>("/api/quickbooks/mappings/production/resolve", { method: "POST", tenantId });
export const postConfirmProduction = (tenantId: string, body: { realmId: string; choices: { ledgerAccountId: string; qboAccountId: string }[] }) =>
  apiFetch<{ confirmed: number }>("/api/quickbooks/mappings/production/confirm", { method: "POST", body, tenantId });

export const fetchRuns = (tenantId: string) => apiFetch<{ runs: SyncRunView[] }>("/api/quickbooks/sync", { tenantId });
export const fetchRun = (tenantId: string, id: number) => apiFetch<{ run: SyncRunView }>(`/api/quickbooks/sync/${id}`, { tenantId });
export const postSync = (tenantId: string) => apiFetch<{ run: SyncRunView }>("/api/quickbooks/sync", { method: "POST", tenantId });
export const postResume = (tenantId: string, id: number) => apiFetch<{ run: SyncRunView }>(`/api/quickbooks/sync/${id}/resume`, { method: "POST", tenantId });

export const fetchReconciliations = (tenantId: string) => apiFetch<{ reconciliations: ReconciliationView[] }>("/api/quickbooks/reconciliations", { tenantId });
export const fetchReconciliation = (tenantId: string, id: number) => apiFetch<ReconciliationRead>(`/api/quickbooks/reconciliations/${id}`, { tenantId });
export const postReconciliation = (tenantId: string) => apiFetch<ReconciliationRead>("/api/quickbooks/reconciliations", { method: "POST", tenantId });
export const putExplanation = (tenantId: string, reconciliationId: number, lineId: number, explanation: string) =>
  apiFetch<{ line: ReconciliationLineView }>(`/api/quickbooks/reconciliations/${reconciliationId}/lines/${lineId}`, { method: "PUT", body: { explanation }, tenantId });
export const putAccountingMethod = (tenantId: string, accountingMethod: "Accrual" | "Cash") =>
  apiFetch<{ accountingMethod: "Accrual" | "Cash" }>("/api/quickbooks/reconciliations/settings", { method: "PUT", body: { accountingMethod }, tenantId });
export const postClose = (tenantId: string, id: number) =>
  apiFetch<{ reconciliation: ReconciliationView }>(`/api/quickbooks/reconciliations/${id}/close`, { method: "POST", tenantId });

/** A run still moving: the page polls it. */
export const isRunActive = (run: Pick<SyncRunView, "status">) => run.status === "queued" || run.status === "running";

const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat("en-US");

/** "48,210.37" from "48210.37"; an em dash for no value. */
export const formatMoney = (amount: string | null) => (amount === null ? "—" : money.format(Number(amount)));
export const formatCount = (n: number) => count.format(n);
