import "server-only";
import { and, eq } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { accountMappings, qboAccounts } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { confirmableIds, resolveMappings, type MappingResolution, type ProductionAccount } from "./rules/resolve-in-production";
import { activeConnectionFor, type ChartConnection } from "./store/active-connection";
import { readMappingSet } from "./store/mapping-set";
import { storeAccounts } from "./store/qbo-accounts";
import { fetchLiveChart } from "./validate-against-live-chart";

// Moving the mapping set from the sandbox company to the production company (issue 17): account ids differ between
// the two, so each mapping is resolved in the production chart by the sandbox account's number, then its fully
// qualified name (rules/resolve-in-production.ts). Resolving reads the live production chart and stores nothing of the
// mappings; the production ids are stored only when an accountant confirms them, each one checked again against the
// stored chart, so a confirmation can only pick an account that the resolution offered.

export interface ProductionResolution {
  realmId: string;
  resolutions: MappingResolution[];
}

/** Reads the production company's chart (metered reads, caused by the person resolving) and resolves every mapping in it. */
export async function resolveInProduction(input: { tenantId: string; actorUserId: string | null }): Promise<ProductionResolution> {
  const connection = await activeConnectionFor(input.tenantId, "production");
  const { accounts } = await fetchLiveChart(connection, { actorUserId: input.actorUserId });
  for (let i = 0; i < accounts.length; i += 500) await storeAccounts(db(), connection, accounts.slice(i, i + 500), null);
  return { realmId: connection.realmId, resolutions: resolveMappings(await readMappingSet(input.tenantId), accounts) };
}

export interface ConfirmProductionAccountsInput {
  tenantId: string;
  /** The production company the accountant resolved against: a confirmation for another one is refused. */
  realmId: string;
  choices: readonly { ledgerAccountId: string; qboAccountId: string }[];
  actorUserId: string | null;
  meta?: RequestMeta;
}

/** Stores the production account an accountant confirmed for each mapping; returns how many were stored. */
export async function confirmProductionAccounts(input: ConfirmProductionAccountsInput): Promise<{ confirmed: number }> {
  const connection = await activeConnectionFor(input.tenantId, "production");
  if (connection.realmId !== input.realmId) {
    throw new AppError("connection_changed", 409, "The production connection now holds another QuickBooks company. Resolve the mappings in production again.");
  }
  return db().transaction(async (tx) => {
    const set = await readMappingSet(input.tenantId, tx);
    const resolutions = new Map(resolveMappings(set, await storedChart(tx, connection)).map((r) => [r.ledgerAccountId, r]));
    const now = new Date();
    let byNumber = 0;
    let chosen = 0;
    for (const choice of input.choices) {
      const resolution = resolutions.get(choice.ledgerAccountId);
      if (!resolution || !confirmableIds(resolution).has(choice.qboAccountId)) {
        throw new AppError(
          "resolution_changed",
          409,
          `${resolution ? `${resolution.code} ${resolution.name}` : "An account"} no longer resolves to the production account chosen (its mapping or the production chart changed). Resolve the mappings in production again.`,
        );
      }
      const target = resolution.status === "resolved" ? resolution.target : resolution.status === "ambiguous" ? resolution.candidates.find((c) => c.id === choice.qboAccountId)! : null;
      if (!target) continue;
      if (resolution.status === "ambiguous") chosen++;
      if (target.matchedBy === "number") byNumber++;
      await tx
        .update(accountMappings)
        .set({
          productionRealmId: connection.realmId,
          productionAccountId: target.id,
          productionAccountName: target.name,
          productionMatchedBy: target.matchedBy,
          productionConfirmedByUserId: input.actorUserId,
          productionConfirmedAt: now,
        })
        .where(and(eq(accountMappings.tenantId, input.tenantId), eq(accountMappings.ledgerAccountId, choice.ledgerAccountId)));
    }
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "mappings.production_confirmed",
      target: `quickbooks:production:${connection.realmId}`,
      outcome: "success",
      details: { confirmed: input.choices.length, byNumber, byName: input.choices.length - byNumber, chosenAmongSeveral: chosen },
      meta: input.meta,
    });
    return { confirmed: input.choices.length };
  });
}

/** The production chart as the last resolution stored it. */
async function storedChart(executor: Executor, connection: ChartConnection): Promise<ProductionAccount[]> {
  return executor
    .select({ id: qboAccounts.qboId, name: qboAccounts.name, fullyQualifiedName: qboAccounts.fullyQualifiedName, number: qboAccounts.accountNumber, active: qboAccounts.active })
    .from(qboAccounts)
    .where(and(eq(qboAccounts.tenantId, connection.tenantId), eq(qboAccounts.environment, "production"), eq(qboAccounts.realmId, connection.realmId)));
}
