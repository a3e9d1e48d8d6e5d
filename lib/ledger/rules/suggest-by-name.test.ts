import { describe, expect, it } from "vitest";
import { suggestByName, type SuggestionSource } from "./suggest-by-name";
import type { QboAccountFact } from "./validate-mappings";

const chart: QboAccountFact[] = [
  { id: "84", name: "Accounts Receivable (A/R)", accountType: "Accounts Receivable", classification: "Asset", active: true },
  { id: "35", name: "Checking", accountType: "Bank", classification: "Asset", active: true },
  { id: "90", name: "Old Petty Cash", accountType: "Bank", classification: "Asset", active: false },
  { id: "79", name: "Fuel", accountType: "Income", classification: "Revenue", active: true },
  { id: "71", name: "Fuel", accountType: "Expense", classification: "Expense", active: true },
  { id: "60", name: "Rent", accountType: "Expense", classification: "Expense", active: true },
  { id: "61", name: "RENT", accountType: "Other Expense", classification: "Expense", active: true },
];
const account = (code: string, name: string, type: SuggestionSource["type"], qboAccountId: string | null = null): SuggestionSource => ({ ledgerAccountId: `id-${code}`, name, type, qboAccountId });

describe("suggestByName", () => {
  it("matches names ignoring case, punctuation and bracketed abbreviations, among accounts of a compatible type", () => {
    const suggestions = suggestByName([account("1100", "accounts receivable", "asset"), account("1000", "CHECKING!", "asset"), account("6200", "Fuel", "expense")], chart);
    expect(new Map([...suggestions].map(([id, target]) => [id, target.id]))).toEqual(
      new Map([
        ["id-1100", "84"],
        ["id-1000", "35"],
        ["id-6200", "71"],
      ]),
    );
  });

  it("suggests nothing for a mapped account, an inactive or incompatible match, or two candidates", () => {
    const suggestions = suggestByName(
      [account("1000", "Checking", "asset", "36"), account("1020", "Old Petty Cash", "asset"), account("4000", "Checking", "income"), account("6100", "Rent", "expense")],
      chart,
    );
    expect(suggestions.size).toBe(0);
  });
});
