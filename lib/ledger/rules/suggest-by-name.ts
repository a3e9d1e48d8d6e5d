import { typesAreCompatible, type LedgerAccountType } from "./account-types";
import type { QboAccountFact } from "./validate-mappings";

// Mapping suggestions by name: real charts name most accounts alike on both sides ("Checking", "Fuel") and a few
// differently ("Trade Debtors" is "Accounts Receivable (A/R)"), so a match is a suggestion the user confirms.

/** What a suggestion reads of an AWRA account. */
export interface SuggestionSource {
  ledgerAccountId: string;
  name: string;
  type: LedgerAccountType;
  qboAccountId: string | null;
}

/** A name as compared: lower case, bracketed abbreviations and punctuation dropped ("Accounts Receivable (A/R)"). */
const normalise = (name: string) =>
  name
    .toLowerCase()
    .replace(/\(.*?\)/g, " ")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/**
 * Suggestions for the unmapped AWRA accounts, by AWRA account id: the active QuickBooks account of the same name
 * (ignoring case, punctuation and bracketed abbreviations) and a compatible type. Two candidates is no suggestion.
 */
export function suggestByName<T extends QboAccountFact>(set: readonly SuggestionSource[], chart: readonly T[]): Map<string, T> {
  const byName = new Map<string, T[]>();
  for (const account of chart) if (account.active) byName.set(normalise(account.name), [...(byName.get(normalise(account.name)) ?? []), account]);
  const suggestions = new Map<string, T>();
  for (const row of set) {
    if (row.qboAccountId !== null) continue;
    const match = (byName.get(normalise(row.name)) ?? []).filter((candidate) => typesAreCompatible(row.type, candidate));
    if (match.length === 1) suggestions.set(row.ledgerAccountId, match[0]!);
  }
  return suggestions;
}
