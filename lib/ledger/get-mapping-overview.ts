import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { qboAccounts } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";
import { findConnection } from "@/lib/quickbooks/store/connections";
import { MAPPING_ENVIRONMENT, productionCoverage } from "./rules/resolve-in-production";
import { chosenEnvironment } from "./store/active-connection";
import { readMappingSet } from "./store/mapping-set";
import { latestValidation } from "./store/mapping-validations";

export interface GetMappingOverviewOptions {
  tenantId: string;
  /** The environment shown as the tenant's: its chosen one by default. */
  environment?: IntuitEnvironment;
}

/** Everything the mappings page shows: the set, the chart's size, and the latest validation in each environment. */
export async function getMappingOverview(options: GetMappingOverviewOptions) {
  const { tenantId } = options;
  const environment = await chosenEnvironment(tenantId, options.environment);
  const [set, sandbox, production, productionConnection, [chart]] = await Promise.all([
    readMappingSet(tenantId),
    latestValidation(tenantId, "sandbox"),
    latestValidation(tenantId, "production"),
    findConnection(db(), tenantId, "production"),
    db()
      .select({ accounts: sql<number>`count(*)::int`, fetchedAt: sql<Date | null>`max(${qboAccounts.syncedAt})` })
      .from(qboAccounts)
      // The chart mappings are picked from: the sandbox's, whatever the tenant's environment.
      .where(and(eq(qboAccounts.tenantId, tenantId), eq(qboAccounts.environment, MAPPING_ENVIRONMENT))),
  ]);
  return {
    environment,
    accounts: set,
    mapped: set.filter((row) => row.qboAccountId !== null).length,
    chart: { accounts: chart?.accounts ?? 0, fetchedAt: chart?.fetchedAt ? new Date(chart.fetchedAt) : null },
    validations: { sandbox, production },
    // The production company the mappings are resolved in, and how many of them an accountant has confirmed there.
    production:
      productionConnection?.status === "active" && productionConnection.realmId
        ? { realmId: productionConnection.realmId, ...productionCoverage(set, productionConnection.realmId) }
        : null,
  };
}
