import { apiFetch } from "@/components/api-client";
import type { IntuitEnvironment } from "@/lib/env";
import type { getMappingOverview } from "@/lib/ledger/get-mapping-overview";
import type { readReconciliation } from "@/lib/ledger/read-reconciliation";
import type { searchChart } from "@/lib/ledger/search-chart";
import type { MappingRow } from "@/lib/ledger/store/mapping-set";
import type { ValidationRecord } from "@/lib/ledger/store/mapping-validations";
import type { Reconciliation, ReconciliationLine } from "@/lib/ledger/store/reconciliations";
import type { SyncRun } from "@/lib/ledger/store/sync-runs";

// Browser-side calls to the mapping, sync and reconciliation routes, and the JSON shapes they answer with (the
// domain's types with dates as ISO strings, as Response.json writes them).

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

export const fetchOverview = () => apiFetch<MappingOverview>("/api/quickbooks/mappings");

/** One page of the stored QuickBooks chart, searched by name or type; `after` is the previous page's last account. */
export function fetchChartPage(q: string, after: { name: string; id: string } | null, limit: number): Promise<ChartPage> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (q.trim() !== "") params.set("q", q.trim());
  if (after) {
    params.set("afterName", after.name);
    params.set("afterId", after.id);
  }
  return apiFetch<ChartPage>(`/api/quickbooks/qbo-accounts?${params}`);
}

export const putMapping = (ledgerAccountId: string, body: { qboAccountId: string | null; allowShared: boolean }) =>
  apiFetch<{ mapping: MappingView }>(`/api/quickbooks/mappings/${encodeURIComponent(ledgerAccountId)}`, { method: "PUT", body });
export const postSuggest = () => apiFetch<{ mapped: number }>("/api/quickbooks/mappings/suggest", { method: "POST" });
export const postValidate = (environment: IntuitEnvironment) =>
  apiFetch<{ validation: ValidationView }>("/api/quickbooks/mappings/validate", { method: "POST", body: { environment } });

export const fetchRuns = () => apiFetch<{ runs: SyncRunView[] }>("/api/quickbooks/sync");
export const fetchRun = (id: number) => apiFetch<{ run: SyncRunView }>(`/api/quickbooks/sync/${id}`);
export const postSync = () => apiFetch<{ run: SyncRunView }>("/api/quickbooks/sync", { method: "POST" });
export const postResume = (id: number) => apiFetch<{ run: SyncRunView }>(`/api/quickbooks/sync/${id}/resume`, { method: "POST" });

export const fetchReconciliations = () => apiFetch<{ reconciliations: ReconciliationView[] }>("/api/quickbooks/reconciliations");
export const fetchReconciliation = (id: number) => apiFetch<ReconciliationRead>(`/api/quickbooks/reconciliations/${id}`);
export const postReconciliation = () => apiFetch<ReconciliationRead>("/api/quickbooks/reconciliations", { method: "POST" });
export const putExplanation = (reconciliationId: number, lineId: number, explanation: string) =>
  apiFetch<{ line: ReconciliationLineView }>(`/api/quickbooks/reconciliations/${reconciliationId}/lines/${lineId}`, { method: "PUT", body: { explanation } });
export const postClose = (id: number) => apiFetch<{ reconciliation: ReconciliationView }>(`/api/quickbooks/reconciliations/${id}/close`, { method: "POST" });

/** A run still moving: the page polls it. */
export const isRunActive = (run: Pick<SyncRunView, "status">) => run.status === "queued" || run.status === "running";

const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat("en-US");

/** "48,210.37" from "48210.37"; an em dash for no value. */
export const formatMoney = (amount: string | null) => (amount === null ? "—" : money.format(Number(amount)));
export const formatCount = (n: number) => count.format(n);
