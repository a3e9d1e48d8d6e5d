import "server-only";
import { db } from "@/db";
import { mappingValidations } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { queryAccountPage, QUERY_MAX_RESULTS, type QboAccount } from "@/lib/intuit/account-query";
import { callQuickBooks } from "@/lib/quickbooks/client/qbo-client";
import { mappingsInCompany } from "./rules/resolve-in-production";
import { mappingFingerprint, validateMappings } from "./rules/validate-mappings";
import { activeConnectionFor, type ChartConnection } from "./store/active-connection";
import { readMappingSet, refreshMappedAccounts } from "./store/mapping-set";
import type { ValidationRecord } from "./store/mapping-validations";
import { storeAccounts } from "./store/qbo-accounts";

// Validating the mapping set against the company's chart as QuickBooks holds it now: fetched live through the API
// client, page by page (Intuit answers 1,000 rows at most), kept in qbo_accounts, and the result stored with the
// fingerprint of the set it approved (a production sync needs a passed, current sandbox validation).

export interface ValidateAgainstLiveChartOptions {
  tenantId: string;
  /** The tenant's chosen environment by default. */
  environment?: IntuitEnvironment;
  actorUserId: string | null;
  meta?: RequestMeta;
}

/** Fetches the live chart, keeps it in qbo_accounts, and validates the current mapping set against it. */
export async function validateAgainstLiveChart(input: ValidateAgainstLiveChartOptions): Promise<ValidationRecord> {
  const connection = await activeConnectionFor(input.tenantId, input.environment);
  const { accounts } = await fetchLiveChart(connection, { actorUserId: input.actorUserId });
  for (let i = 0; i < accounts.length; i += 500) await storeAccounts(db(), connection, accounts.slice(i, i + 500), null);
  return recordValidation({ ...connection, chart: accounts, actorUserId: input.actorUserId, meta: input.meta });
}

/** Every account of the company, active and inactive, page by page through the API client. */
export async function fetchLiveChart(connection: ChartConnection, options: { background?: boolean; actorUserId?: string | null } = {}): Promise<{ accounts: QboAccount[]; rejected: number }> {
  const accounts: QboAccount[] = [];
  let rejected = 0;
  for (let start = 1; ; start += QUERY_MAX_RESULTS) {
    const page = await callQuickBooks({ tenantId: connection.tenantId, environment: connection.environment, cause: "user", ...options }, "query", (input) =>
      queryAccountPage({ ...input, startPosition: start, maxResults: QUERY_MAX_RESULTS }),
    );
    if (page.realmId !== connection.realmId) throw new Error("the QuickBooks connection changed while its chart was being read");
    accounts.push(...page.accounts);
    rejected += page.rejected;
    if (page.accounts.length + page.rejected < QUERY_MAX_RESULTS) return { accounts, rejected };
  }
}

/** Stores a validation of the current mapping set against the chart just fetched, with its audit event. */
async function recordValidation(input: ChartConnection & { chart: readonly QboAccount[]; actorUserId: string | null; meta?: RequestMeta }): Promise<ValidationRecord> {
  return db().transaction(async (tx) => {
    await refreshMappedAccounts(tx, input);
    const set = mappingsInCompany(await readMappingSet(input.tenantId, tx), input.environment, input.realmId);
    const result = validateMappings(set, new Map(input.chart.map((a) => [a.id, a])));
    const fingerprint = mappingFingerprint(set);
    const [row] = await tx
      .insert(mappingValidations)
      .values({ tenantId: input.tenantId, environment: input.environment, realmId: input.realmId, fingerprint, passed: result.passed, checked: result.checked, mapped: result.mapped, issues: result.issues, createdByUserId: input.actorUserId })
      .returning({ id: mappingValidations.id, createdAt: mappingValidations.createdAt });
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "mappings.validated",
      target: `quickbooks:${input.environment}:${input.realmId}`,
      outcome: result.passed ? "success" : "failure",
      details: { checked: result.checked, mapped: result.mapped, issues: result.issues.length },
      meta: input.meta,
    });
    return { ...result, id: row!.id, environment: input.environment, realmId: input.realmId, fingerprint, createdAt: row!.createdAt };
  });
}
