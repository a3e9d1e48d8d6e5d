import { describe, expect, it } from "vitest";
import { DEMO_CHART, DEMO_QBO_ONLY_ACCOUNTS, DEMO_TENANT_SLUGS } from "@/db/demo-chart";
import type { TrialBalanceAccount } from "@/lib/intuit/trial-balance";
import { classificationOf, type QboClassification } from "./account-types";
import { toCents } from "./money";
import {
  fiscalYearStart,
  fiscalYearStartMonthOf,
  naturalBalanceCents,
  periodBalances,
  periodEndOf,
  reportRangeFor,
  type ChartAccountFact,
} from "./period-balances";

const account = (accountId: string, debitCents: number, creditCents: number, name = `Account ${accountId}`): TrialBalanceAccount => ({ accountId, name, debitCents, creditCents });

describe("the natural sign of a Trial Balance row", () => {
  it("is debit-positive for assets and expenses, credit-positive for liabilities, equity and revenue", () => {
    const cases: [QboClassification, number, number, number][] = [
      ["Asset", 4821037, 0, 4821037],
      // Accumulated depreciation: a credit balance on an asset, negative.
      ["Asset", 0, 7460000, -7460000],
      ["Expense", 2861472, 0, 2861472],
      ["Liability", 0, 4127690, 4127690],
      ["Equity", 0, 6434405, 6434405],
      // Owner distributions: a debit balance on equity, negative.
      ["Equity", 1200000, 0, -1200000],
      ["Revenue", 0, 31248000, 31248000],
      // Discounts given: a debit balance on income, negative.
      ["Revenue", 431250, 0, -431250],
      // Both columns filled: the net.
      ["Asset", 10000, 2500, 7500],
    ];
    for (const [classification, debitCents, creditCents, expected] of cases) {
      expect(naturalBalanceCents(classification, { debitCents, creditCents }), `${classification} ${debitCents}/${creditCents}`).toBe(expected);
    }
    expect(Object.is(naturalBalanceCents("Liability", { debitCents: 0, creditCents: 0 }), 0)).toBe(true);
  });

  // The convention the reconciliation compares in (db/demo-chart.ts: balances as QuickBooks reports CurrentBalance,
  // AWRA's demo ledger the same numbers). Written as a trial balance by that convention, each demo company's chart
  // balances (debits = credits) and reads back to exactly its demo balances.
  it("reads the demo chart's trial balance back to its balances, and that trial balance balances", () => {
    for (const tenant of DEMO_TENANT_SLUGS) {
      const chart = new Map<string, ChartAccountFact>();
      const rows: TrialBalanceAccount[] = [];
      for (const qbo of [...DEMO_CHART.map((a) => a.qbo), ...DEMO_QBO_ONLY_ACCOUNTS]) {
        const classification = classificationOf({ accountType: qbo.accountType });
        chart.set(qbo.id, { name: qbo.name, classification });
        const cents = toCents(qbo.balances[tenant]);
        if (cents === 0) continue; // the report leaves out accounts with nothing
        const debitSide = (classification === "Asset" || classification === "Expense") === cents > 0;
        rows.push(account(qbo.id, debitSide ? Math.abs(cents) : 0, debitSide ? 0 : Math.abs(cents), qbo.name));
      }
      const debits = rows.reduce((sum, r) => sum + r.debitCents, 0);
      const credits = rows.reduce((sum, r) => sum + r.creditCents, 0);
      expect(debits, tenant).toBe(credits);

      const { balances, unclassified } = periodBalances(rows, chart);
      expect(unclassified).toEqual([]);
      for (const line of DEMO_CHART) expect(balances.get(line.qbo.id)?.balance, `${tenant} ${line.code}`).toBe(line.qbo.balances[tenant]);
      for (const qbo of DEMO_QBO_ONLY_ACCOUNTS) expect(balances.get(qbo.id)).toEqual({ name: qbo.name, balance: "0.00", balanceCents: 0 });
    }
  });
});

describe("period balances", () => {
  const chart = new Map<string, ChartAccountFact>([
    ["35", { name: "Checking", classification: "Asset" }],
    ["33", { name: "Accounts Payable (A/P)", classification: "Liability" }],
    ["55", { name: "Field Service Revenue", classification: "Revenue" }],
    ["80", { name: "Cost of Goods Sold", classification: "Expense" }],
    ["99", { name: "Mystery", classification: null }],
  ]);

  it("signs each account of the report by its classification, in the shape draftLines reads", () => {
    const { balances, unclassified } = periodBalances([account("35", 4821037, 0, "Checking (report)"), account("33", 0, 4127690), account("55", 0, 31248000)], chart);
    expect(unclassified).toEqual([]);
    expect(balances.get("35")).toEqual({ name: "Checking", balance: "48210.37", balanceCents: 4821037 });
    expect(balances.get("33")).toEqual({ name: "Accounts Payable (A/P)", balance: "41276.90", balanceCents: 4127690 });
    expect(balances.get("55")).toEqual({ name: "Field Service Revenue", balance: "312480.00", balanceCents: 31248000 });
  });

  it("gives a chart account the report leaves out a zero balance, not an unknown one", () => {
    const { balances } = periodBalances([account("35", 100, 0)], chart);
    expect(balances.get("80")).toEqual({ name: "Cost of Goods Sold", balance: "0.00", balanceCents: 0 });
    // Zero needs no sign: an account of unknown classification with nothing at that date is zero as well.
    expect(balances.get("99")).toEqual({ name: "Mystery", balance: "0.00", balanceCents: 0 });
    expect([...balances.keys()].sort()).toEqual(["33", "35", "55", "80", "99"]);
  });

  it("sets apart report accounts whose sign it cannot tell: unknown to the chart, or unclassified", () => {
    const stranger = account("500", 100, 0, "New account");
    const mystery = account("99", 0, 250);
    const { balances, unclassified } = periodBalances([stranger, mystery, account("35", 100, 0)], chart);
    expect(unclassified).toEqual([stranger, mystery]);
    expect(balances.has("500")).toBe(false);
    expect(balances.has("99")).toBe(false);
    expect(balances.get("35")?.balance).toBe("1.00");
  });
});

describe("period ends and fiscal years", () => {
  it("ends a period on its month's last day, leap years included", () => {
    expect(periodEndOf("2026-11")).toBe("2026-11-30");
    expect(periodEndOf("2026-12")).toBe("2026-12-31");
    expect(periodEndOf("2026-01")).toBe("2026-01-31");
    expect(periodEndOf("2026-04")).toBe("2026-04-30");
    expect(periodEndOf("2026-02")).toBe("2026-02-28");
    expect(periodEndOf("2028-02")).toBe("2028-02-29");
    expect(periodEndOf("2000-02")).toBe("2000-02-29");
    expect(periodEndOf("2100-02")).toBe("2100-02-28");
    for (const bad of ["2026-13", "2026-00", "2026-1", "26-11", "2026-11-30", ""]) expect(() => periodEndOf(bad), bad).toThrow(RangeError);
  });

  it("starts the fiscal year in its first month, in the year that holds the period end", () => {
    // A fiscal year from April.
    expect(fiscalYearStart("2026-02-28", 4)).toBe("2025-04-01");
    expect(fiscalYearStart("2026-03-31", 4)).toBe("2025-04-01");
    expect(fiscalYearStart("2026-04-30", 4)).toBe("2026-04-01");
    expect(fiscalYearStart("2026-11-30", 4)).toBe("2026-04-01");
    // The calendar year.
    expect(fiscalYearStart("2026-01-31", 1)).toBe("2026-01-01");
    expect(fiscalYearStart("2026-12-31", 1)).toBe("2026-01-01");
    // From October, and from December.
    expect(fiscalYearStart("2026-09-30", 10)).toBe("2025-10-01");
    expect(fiscalYearStart("2026-10-31", 10)).toBe("2026-10-01");
    expect(fiscalYearStart("2026-11-30", 12)).toBe("2025-12-01");
    expect(fiscalYearStart("2026-12-31", 12)).toBe("2026-12-01");
    // Leap-year period ends.
    expect(fiscalYearStart("2028-02-29", 4)).toBe("2027-04-01");
    expect(fiscalYearStart("2028-02-29", 2)).toBe("2028-02-01");
    expect(fiscalYearStart("2028-02-29", 3)).toBe("2027-03-01");
  });

  it("refuses a date that is not one and a month outside 1 to 12", () => {
    for (const bad of ["2026-02-29", "2026-11-31", "2026-11", "30/11/2026"]) expect(() => fiscalYearStart(bad, 1), bad).toThrow(RangeError);
    for (const month of [0, 13, 4.5, Number.NaN]) expect(() => fiscalYearStart("2026-11-30", month), String(month)).toThrow(RangeError);
  });

  it("asks the Trial Balance for the fiscal year to the period end", () => {
    expect(reportRangeFor("2026-02-28", 4)).toEqual({ startDate: "2025-04-01", endDate: "2026-02-28" });
    expect(reportRangeFor("2026-04-30", 4)).toEqual({ startDate: "2026-04-01", endDate: "2026-04-30" });
    expect(reportRangeFor(periodEndOf("2028-02"), 7)).toEqual({ startDate: "2027-07-01", endDate: "2028-02-29" });
    expect(reportRangeFor(periodEndOf("2026-11"), 1)).toEqual({ startDate: "2026-01-01", endDate: "2026-11-30" });
  });

  it("reads CompanyInfo's FiscalYearStartMonth", () => {
    expect(fiscalYearStartMonthOf("January")).toBe(1);
    expect(fiscalYearStartMonthOf("April")).toBe(4);
    expect(fiscalYearStartMonthOf(" december ")).toBe(12);
    expect(fiscalYearStartMonthOf("7")).toBe(7);
    for (const unknown of [null, undefined, "", "Apr", "13", "0", "Smarch"]) expect(fiscalYearStartMonthOf(unknown), String(unknown)).toBeNull();
  });
});
