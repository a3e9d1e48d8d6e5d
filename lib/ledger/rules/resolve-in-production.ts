// Resolving the sandbox mapping set in the production company (pure: the caller fetched the production chart).
// Account ids are the company's own, so a sandbox id means nothing in production; what survives the move is the
// account's number (AcctNum, unique in a company that numbers its accounts) and its fully qualified name (unique in
// every company). Each mapping is looked up by number first, then by name; when the two point at different accounts,
// or several accounts answer, it is ambiguous and the accountant chooses. Nothing here is stored: an accountant
// confirms what is shown (lib/ledger/resolve-in-production.ts).

/**
 * Where mappings are made, picked and matched by name: the sandbox company (a wrong mapping costs nothing there); the
 * production company gets them by resolution.
 */
export const MAPPING_ENVIRONMENT = "sandbox";

export interface MappingKey {
  ledgerAccountId: string;
  code: string;
  name: string;
  /** The sandbox account it maps to, or null when unmapped. */
  qboAccountId: string | null;
  qboAccountName: string | null;
  qboAccountNumber: string | null;
  qboAccountFqn: string | null;
}

export interface ProductionAccount {
  id: string;
  name: string;
  fullyQualifiedName: string | null;
  number: string | null;
  active: boolean;
}

export type MatchedBy = "number" | "name";

export interface ProductionCandidate extends ProductionAccount {
  matchedBy: MatchedBy;
}

export type Resolution =
  | { status: "unmapped" }
  /** One account answers by number, or by name when there is no number; the name agrees when both are known. */
  | { status: "resolved"; target: ProductionCandidate }
  /** Several accounts answer (the number names one account, the name another): the accountant chooses. */
  | { status: "ambiguous"; candidates: ProductionCandidate[]; reason: string }
  /** No account of the production company has its number or its name. */
  | { status: "missing"; reason: string };

export type MappingResolution = MappingKey & Resolution;

const normalName = (name: string) => name.trim().toLowerCase();
const fqnOf = (account: Pick<ProductionAccount, "fullyQualifiedName" | "name">) => normalName(account.fullyQualifiedName ?? account.name);

/** Active accounts when any answers, else the inactive ones (which validation then reports as inactive). */
function preferActive<T extends ProductionAccount>(accounts: T[]): T[] {
  const active = accounts.filter((a) => a.active);
  return active.length > 0 ? active : accounts;
}

/** Indexes a production chart by number and by fully qualified name, once for a whole mapping set. */
export function productionIndex(chart: readonly ProductionAccount[]) {
  const byNumber = new Map<string, ProductionAccount[]>();
  const byName = new Map<string, ProductionAccount[]>();
  for (const account of chart) {
    if (account.number) byNumber.set(account.number, [...(byNumber.get(account.number) ?? []), account]);
    const fqn = fqnOf(account);
    byName.set(fqn, [...(byName.get(fqn) ?? []), account]);
  }
  return { byNumber, byName };
}

export type ProductionIndex = ReturnType<typeof productionIndex>;

/** How one mapping resolves in the production company. */
export function resolveMapping(mapping: MappingKey, index: ProductionIndex): Resolution {
  if (mapping.qboAccountId === null) return { status: "unmapped" };
  const label = `"${mapping.qboAccountFqn ?? mapping.qboAccountName ?? mapping.qboAccountId}"`;
  const byNumber = mapping.qboAccountNumber ? preferActive(index.byNumber.get(mapping.qboAccountNumber) ?? []) : [];
  const byName = mapping.qboAccountFqn ? preferActive(index.byName.get(normalName(mapping.qboAccountFqn)) ?? []) : [];
  const candidates: ProductionCandidate[] = [...byNumber.map((a) => ({ ...a, matchedBy: "number" as const }))];
  for (const account of byName) if (!candidates.some((c) => c.id === account.id)) candidates.push({ ...account, matchedBy: "name" });

  if (candidates.length === 1) return { status: "resolved", target: candidates[0]! };
  if (candidates.length === 0) {
    const keys = [mapping.qboAccountNumber ? `number ${mapping.qboAccountNumber}` : null, mapping.qboAccountFqn ? `the name ${label}` : null].filter(Boolean).join(" or ");
    return {
      status: "missing",
      reason: keys
        ? `No account of the production company has ${keys}. Create it in QuickBooks, or give the production account the sandbox account's number, then resolve again.`
        : `The sandbox account ${label} has neither a number nor a known name. Validate in the sandbox (it records both), then resolve again.`,
    };
  }
  const numbered = candidates.filter((c) => c.matchedBy === "number");
  const named = candidates.filter((c) => c.matchedBy === "name");
  const reason =
    numbered.length === 1 && named.length > 0
      ? `Number ${mapping.qboAccountNumber} is "${numbered[0]!.fullyQualifiedName ?? numbered[0]!.name}" in production, but an account named ${label} exists there too. Choose the one AWRA ${mapping.code} posts to.`
      : `${candidates.length} production accounts answer to ${label}. Choose the one AWRA ${mapping.code} posts to.`;
  return { status: "ambiguous", candidates, reason };
}

/** Resolves every mapping of the set in the production chart. */
export function resolveMappings(mappings: readonly MappingKey[], chart: readonly ProductionAccount[]): MappingResolution[] {
  const index = productionIndex(chart);
  return mappings.map((mapping) => ({ ...mapping, ...resolveMapping(mapping, index) }));
}

/** The accounts an accountant may confirm for a mapping: the one resolved, or one of the ambiguous candidates. */
export function confirmableIds(resolution: Resolution): ReadonlySet<string> {
  if (resolution.status === "resolved") return new Set([resolution.target.id]);
  if (resolution.status === "ambiguous") return new Set(resolution.candidates.map((c) => c.id));
  return new Set();
}

/** A mapping's production account, as an accountant confirmed it. */
export interface ProductionTarget {
  realmId: string;
  accountId: string;
  accountName: string | null;
  matchedBy: MatchedBy;
  confirmedAt: Date;
}

interface CompanyMapping {
  qboAccountId: string | null;
  qboAccountName: string | null;
  production: ProductionTarget | null;
  unresolved?: boolean;
}

/**
 * The mapping set as one company sees it: the sandbox ids in the sandbox; in production the confirmed production ids
 * for that company, and a mapping not confirmed there (or confirmed for another production company) marked
 * `unresolved`, with no target. Validations, syncs and reconciliations all read the set through this.
 */
export function mappingsInCompany<T extends CompanyMapping>(set: readonly T[], environment: "sandbox" | "production", realmId: string): T[] {
  if (environment === "sandbox") return [...set];
  return set.map((row) => {
    if (row.qboAccountId === null) return row;
    if (row.production?.realmId === realmId) return { ...row, qboAccountId: row.production.accountId, qboAccountName: row.production.accountName };
    return { ...row, qboAccountId: null, qboAccountName: null, unresolved: true };
  });
}

/** How many of the set's mapped accounts have a production account confirmed for that company. */
export function productionCoverage(set: readonly CompanyMapping[], realmId: string): { mapped: number; confirmed: number } {
  const mapped = set.filter((row) => row.qboAccountId !== null);
  return { mapped: mapped.length, confirmed: mapped.filter((row) => row.production?.realmId === realmId).length };
}
