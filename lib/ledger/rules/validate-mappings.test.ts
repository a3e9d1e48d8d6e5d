import { describe, expect, it } from "vitest";
import { mappingFingerprint, validateMappings, type MappingUnderTest, type QboAccountFact } from "./validate-mappings";

const qbo = new Map<string, QboAccountFact>(
  [
    { id: "35", name: "Checking", accountType: "Bank", classification: "Asset", active: true },
    { id: "36", name: "Savings", accountType: "Bank", classification: "Asset", active: true },
    { id: "79", name: "Sales of Product Income", accountType: "Income", classification: "Revenue", active: true },
    { id: "90", name: "Old Petty Cash", accountType: "Bank", classification: "Asset", active: false },
    { id: "33", name: "Accounts Payable (A/P)", accountType: "Accounts Payable", classification: null, active: true },
  ].map((a) => [a.id, a]),
);
const account = (code: string, over: Partial<MappingUnderTest> = {}): MappingUnderTest => ({
  ledgerAccountId: `id-${code}`,
  code,
  name: `Account ${code}`,
  type: "asset",
  balance: "100.00",
  qboAccountId: null,
  allowShared: false,
  ...over,
});

describe("validateMappings", () => {
  it("passes a clean set, and lets an account without a balance stay unmapped", () => {
    const result = validateMappings([account("1000", { qboAccountId: "35" }), account("1010", { qboAccountId: "36" }), account("1999", { balance: "0.00" })], qbo);
    expect(result).toEqual({ passed: true, checked: 3, mapped: 2, issues: [] });
  });

  it("names every problem, once per account", () => {
    const result = validateMappings(
      [
        account("1000", { balance: "12.50" }),
        account("1010", { qboAccountId: "404" }),
        account("1020", { qboAccountId: "90" }),
        account("4000", { type: "income", qboAccountId: "35" }),
        account("1030", { qboAccountId: "36" }),
        account("1040", { qboAccountId: "36" }),
      ],
      qbo,
    );
    expect(result.passed).toBe(false);
    expect(result.issues.map((i) => [i.code, i.issue])).toEqual([
      ["1000", "unmapped_balance"],
      ["1010", "target_missing"],
      ["1020", "target_inactive"],
      ["4000", "type_mismatch"],
      ["1030", "shared_target"],
      ["1040", "shared_target"],
    ]);
    expect(result.issues[3]!.message).toContain("needs an account QuickBooks classifies as Revenue");
    expect(result.issues[4]!.message).toContain('1030, 1040 all map to "Savings"');
  });

  it("allows a shared QuickBooks account only when every sharer allows it", () => {
    const shared = [account("1030", { qboAccountId: "36", allowShared: true }), account("1040", { qboAccountId: "36", allowShared: true })];
    expect(validateMappings(shared, qbo).passed).toBe(true);
    expect(validateMappings([shared[0]!, { ...shared[1]!, allowShared: false }], qbo).passed).toBe(false);
  });
});

describe("mappingFingerprint", () => {
  it("ignores order and changes with any pair or allowance", () => {
    const a = [account("1000", { qboAccountId: "35" }), account("1010", { qboAccountId: "36" })];
    expect(mappingFingerprint(a)).toBe(mappingFingerprint([...a].reverse()));
    expect(mappingFingerprint(a)).not.toBe(mappingFingerprint([a[0]!, { ...a[1]!, qboAccountId: "35" }]));
    expect(mappingFingerprint(a)).not.toBe(mappingFingerprint([a[0]!, { ...a[1]!, allowShared: true }]));
  });
});
