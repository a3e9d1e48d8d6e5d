import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { qboAccounts } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { suggestByName } from "./rules/suggest-by-name";
import type { QboAccountFact } from "./rules/validate-mappings";
import { MAPPING_ENVIRONMENT } from "./rules/resolve-in-production";
import { readMappingSet, upsertMapping } from "./store/mapping-set";

export interface ApplySuggestionsOptions {
  tenantId: string;
  /** The chart to match against: the sandbox by default: mappings are made there. */
  environment?: IntuitEnvironment;
  actorUserId: string | null;
  meta?: RequestMeta;
}

/** Maps each unmapped AWRA account to its suggestion by name, in one transaction; returns how many were mapped. */
export async function applySuggestions(options: ApplySuggestionsOptions): Promise<number> {
  const { tenantId, actorUserId } = options;
  const environment = options.environment ?? MAPPING_ENVIRONMENT;
  const suggestions = suggestByName(await readMappingSet(tenantId), await readChart(tenantId, environment));
  if (suggestions.size === 0) return 0;
  await db().transaction(async (tx) => {
    for (const [ledgerAccountId, target] of suggestions) {
      await upsertMapping(tx, { tenantId, ledgerAccountId, target: { qboAccountId: target.id, qboAccountName: target.name, qboAccountNumber: target.number, qboAccountFqn: target.fullyQualifiedName ?? target.name, allowShared: false }, actorUserId });
    }
    await recordAudit(tx, { tenantId, actorUserId, action: "mapping.changed", target: "ledger:*", outcome: "success", details: { suggestedByName: suggestions.size }, meta: options.meta });
  });
  return suggestions.size;
}

/** The QuickBooks chart as last fetched for this tenant and environment. */
async function readChart(tenantId: string, environment: IntuitEnvironment): Promise<(QboAccountFact & { number: string | null; fullyQualifiedName: string | null })[]> {
  return db()
    .select({ id: qboAccounts.qboId, name: qboAccounts.name, number: qboAccounts.accountNumber, fullyQualifiedName: qboAccounts.fullyQualifiedName, accountType: qboAccounts.accountType, classification: qboAccounts.classification, active: qboAccounts.active })
    .from(qboAccounts)
    .where(and(eq(qboAccounts.tenantId, tenantId), eq(qboAccounts.environment, environment)));
}
