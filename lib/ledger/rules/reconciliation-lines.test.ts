import { describe, expect, it } from "vitest";
import { draftLines, totalsOf, type DraftSource } from "./reconciliation-lines";

const account = (code: string, balance: string, qboAccountId: string | null): DraftSource => ({
  ledgerAccountId: `id-${code}`,
  code,
  name: `Account ${code}`,
  balance,
  qboAccountId,
  qboAccountName: qboAccountId === null ? null : `Mapped name ${qboAccountId}`,
});

describe("draftLines", () => {
  it("draws one line per QuickBooks account, AWRA's sharers added up against it, in code order", () => {
    const balances = new Map([
      ["35", { name: "Checking", balance: "100.10" }],
      ["36", { name: "Savings", balance: "50.00" }],
    ]);
    const lines = draftLines([account("1030", "20.00", "36"), account("1000", "100.10", "35"), account("1020", "30.05", "36")], balances);
    expect(lines).toEqual([
      { ledgerAccountId: "id-1000", code: "1000", name: "Account 1000", qboAccountId: "35", qboAccountName: "Checking", awraBalance: "100.10", qboBalance: "100.10", difference: "0.00" },
      { ledgerAccountId: null, code: "1030 + 1020", name: "Account 1030 + Account 1020", qboAccountId: "36", qboAccountName: "Savings", awraBalance: "50.05", qboBalance: "50.00", difference: "0.05" },
    ]);
  });

  it("makes all of an unmapped balance a difference, leaves out an unmapped zero, and keeps the mapped name when QuickBooks sent none", () => {
    const lines = draftLines([account("2000", "-80", null), account("2010", "0.00", null), account("2020", "12.00", "404")], new Map());
    expect(lines).toEqual([
      { ledgerAccountId: "id-2000", code: "2000", name: "Account 2000", qboAccountId: null, qboAccountName: null, awraBalance: "-80.00", qboBalance: null, difference: "-80.00" },
      { ledgerAccountId: "id-2020", code: "2020", name: "Account 2020", qboAccountId: "404", qboAccountName: "Mapped name 404", awraBalance: "12.00", qboBalance: null, difference: "12.00" },
    ]);
  });
});

describe("totalsOf", () => {
  it("adds the balances in cents, and counts the differences and those not explained", () => {
    const totals = totalsOf([
      { awraBalance: "0.10", qboBalance: "0.10", difference: "0.00", explanation: null },
      { awraBalance: "0.20", qboBalance: null, difference: "0.20", explanation: "Deposit in transit" },
      { awraBalance: "-5.00", qboBalance: "-4.00", difference: "-1.00", explanation: null },
    ]);
    expect(totals).toEqual({ awra: "-4.70", qbo: "-3.90", difference: "-0.80", differences: 2, unexplained: 1 });
  });
});
