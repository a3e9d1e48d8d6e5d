import { createHash } from "node:crypto";
import { expectedClassification, typesAreCompatible, type LedgerAccountType } from "./account-types";

// The checks a mapping set must pass before a sync may use it (pure: the caller fetched both charts). One issue per
// problem per AWRA account, each with a sentence that says what to change.

export interface MappingUnderTest {
  ledgerAccountId: string;
  code: string;
  name: string;
  type: LedgerAccountType;
  /** AWRA's balance, as a decimal string ("1250.00"). */
  balance: string;
  /** The QuickBooks account id it maps to (the external id), or null when unmapped. */
  qboAccountId: string | null;
  /** The admin allowed this account to share its QuickBooks account with others (e.g. several petty-cash tills). */
  allowShared: boolean;
  /** Mapped in the sandbox, with no production account confirmed for this company (rules/resolve-in-production.ts). */
  unresolved?: boolean;
}

export interface QboAccountFact {
  id: string;
  name: string;
  accountType: string;
  classification: string | null;
  active: boolean;
}

export type MappingIssueCode = "unresolved_in_production" | "unmapped_balance" | "target_missing" | "target_inactive" | "type_mismatch" | "shared_target";

export interface MappingIssue {
  ledgerAccountId: string;
  code: string;
  issue: MappingIssueCode;
  message: string;
}

export interface MappingValidation {
  passed: boolean;
  checked: number;
  mapped: number;
  issues: MappingIssue[];
}

const isZero = (balance: string) => Number(balance) === 0;

export function validateMappings(mappings: readonly MappingUnderTest[], qboAccounts: ReadonlyMap<string, QboAccountFact>): MappingValidation {
  const issues: MappingIssue[] = [];
  const issue = (m: MappingUnderTest, code: MappingIssueCode, message: string) => issues.push({ ledgerAccountId: m.ledgerAccountId, code: m.code, issue: code, message });

  const byTarget = new Map<string, MappingUnderTest[]>();
  for (const m of mappings) {
    if (m.unresolved) {
      issue(m, "unresolved_in_production", `${m.code} ${m.name} is mapped in the sandbox, but its production account has not been confirmed. Resolve the mappings in production and confirm them.`);
      continue;
    }
    if (m.qboAccountId === null) {
      if (!isZero(m.balance)) issue(m, "unmapped_balance", `${m.code} ${m.name} has a balance of ${m.balance} but is not mapped to a QuickBooks account.`);
      continue;
    }
    byTarget.set(m.qboAccountId, [...(byTarget.get(m.qboAccountId) ?? []), m]);
    const target = qboAccounts.get(m.qboAccountId);
    if (!target) {
      issue(m, "target_missing", `${m.code} ${m.name} maps to QuickBooks account ${m.qboAccountId}, which the company no longer has. Choose another account.`);
      continue;
    }
    if (!target.active) issue(m, "target_inactive", `${m.code} ${m.name} maps to "${target.name}", which is inactive in QuickBooks. Reactivate it there or choose another account.`);
    if (!typesAreCompatible(m.type, target)) {
      issue(m, "type_mismatch", `${m.code} ${m.name} is ${article(m.type)} ${m.type} account but "${target.name}" is ${target.accountType} (${target.classification ?? "unclassified"}); it needs an account QuickBooks classifies as ${expectedClassification(m.type)}.`);
    }
  }
  for (const [target, sharers] of byTarget) {
    if (sharers.length < 2 || sharers.every((m) => m.allowShared)) continue;
    const codes = sharers.map((m) => m.code).join(", ");
    const name = qboAccounts.get(target)?.name ?? target;
    for (const m of sharers) issue(m, "shared_target", `${codes} all map to "${name}". Map each to its own account, or allow sharing on every one of them.`);
  }
  return { passed: issues.length === 0, checked: mappings.length, mapped: mappings.filter((m) => m.qboAccountId !== null).length, issues };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/**
 * A fingerprint of what a validation approved: the pairs and the sharing allowances, in a stable order. A production
 * sync compares it with the current mapping set, so any change after the sandbox validation needs a new one.
 */
export function mappingFingerprint(mappings: readonly Pick<MappingUnderTest, "code" | "qboAccountId" | "allowShared">[]): string {
  const lines = mappings
    .map((m) => `${m.code}\t${m.qboAccountId ?? ""}\t${m.allowShared ? 1 : 0}`)
    .sort()
    .join("\n");
  return createHash("sha256").update(lines).digest("hex");
}
