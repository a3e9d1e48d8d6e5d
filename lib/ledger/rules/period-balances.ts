import type { TrialBalanceAccount } from "@/lib/intuit/trial-balance";
import type { QboClassification } from "./account-types";
import { fromCents } from "./money";
import { isCalendarDate } from "./parse-ledger";

// QuickBooks' balances at a period's end, from its Trial Balance report (lib/intuit/trial-balance.ts), in the sign the
// reconciliation compares AWRA's balances in. Pure: the use-case reads the report and the chart and stores the result.
//
// The sign: each account's natural balance, as QuickBooks gives CurrentBalance: assets and expenses positive in debit,
// liabilities, equity and revenue positive in credit, a contra account negative (accumulated depreciation, discounts
// given, distributions). That is the convention of every balance the reconciliation holds today: db/demo-chart.ts
// states it and tests/db/demo-chart.test.ts holds it (assets = liabilities + equity + income − expenses); AWRA's demo
// ledger is QuickBooks' CurrentBalance copied (demoLedgerFor), and draftLines (reconciliation-lines.ts) subtracts one
// from the other without regard to type, so both sides must be in this one sign.
//
// The range: QuickBooks' Trial Balance lists balance-sheet accounts with their balance at the range's end (all their
// history) and income and expense accounts with their activity within the range; earlier years' profit sits in
// Retained Earnings (../shared/intuit.md §10 and issue #17, graded [M]: Intuit's Reports API reference and published
// references of the report, not yet checked against a live company). A range that starts on the fiscal year's first
// day therefore gives P&L accounts for the fiscal year to the period end. It does so as well under the other reading
// one meets (P&L accounts reset at the fiscal year's start whatever the range's start), since the two agree when the
// range starts there; only a report with no start at all could run P&L accounts since the company began, so the
// request always sends one.

const DEBIT_POSITIVE: ReadonlySet<QboClassification> = new Set(["Asset", "Expense"]);

/** Debit − credit for assets and expenses, credit − debit for liabilities, equity and revenue: integer cents. */
export function naturalBalanceCents(classification: QboClassification, amounts: Pick<TrialBalanceAccount, "debitCents" | "creditCents">): number {
  const net = DEBIT_POSITIVE.has(classification) ? amounts.debitCents - amounts.creditCents : amounts.creditCents - amounts.debitCents;
  return net + 0;
}

/** What the chart (the synced QuickBooks accounts) says of an account: its name, and its classification if known. */
export interface ChartAccountFact {
  name: string;
  classification: QboClassification | null;
}

/** An account's balance at the period end; `{ name, balance }` is what draftLines reads (QboBalances). */
export interface PeriodBalance {
  name: string;
  /** "1250.50", natural sign. */
  balance: string;
  balanceCents: number;
}

export interface PeriodBalances {
  /** By QuickBooks account id: every account of the report, and every account of the chart the report left out. */
  balances: Map<string, PeriodBalance>;
  /** Report accounts whose classification is unknown (not in the chart, or of a type not known): no sign, no balance. */
  unclassified: TrialBalanceAccount[];
}

/**
 * The period-end balance of every account. An account of the chart that the report does not list had nothing at that
 * date (the Trial Balance leaves out accounts with nothing to show, intuit.md §10) and has a zero balance, not an
 * unknown one. Names come from the chart when it knows the account (the mapping screens show them), else the report.
 */
export function periodBalances(accounts: readonly TrialBalanceAccount[], chart: ReadonlyMap<string, ChartAccountFact>): PeriodBalances {
  const balances = new Map<string, PeriodBalance>();
  const unclassified: TrialBalanceAccount[] = [];
  for (const account of accounts) {
    const fact = chart.get(account.accountId);
    if (!fact?.classification) {
      unclassified.push(account);
      continue;
    }
    const cents = naturalBalanceCents(fact.classification, account);
    balances.set(account.accountId, { name: fact.name, balance: fromCents(cents), balanceCents: cents });
  }
  const listed = new Set(accounts.map((a) => a.accountId));
  for (const [id, fact] of chart) {
    if (!listed.has(id)) balances.set(id, { name: fact.name, balance: fromCents(0), balanceCents: 0 });
  }
  return { balances, unclassified };
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"] as const;

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** "2026-11" → "2026-11-30"; "2028-02" → "2028-02-29". Throws RangeError for anything but a "YYYY-MM" month. */
export function periodEndOf(period: string): string {
  const match = PERIOD.exec(period);
  if (!match) throw new RangeError(`Not a period like 2026-11: ${period}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const days = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  return `${match[1]}-${match[2]}-${pad(days)}`;
}

/**
 * CompanyInfo's FiscalYearStartMonth ("April"; a number "4" is accepted too) → 4. Null when absent or unknown: the
 * caller decides the default (QuickBooks' own is January).
 */
export function fiscalYearStartMonthOf(value: string | null | undefined): number | null {
  const text = value?.trim().toLowerCase() ?? "";
  const byName = MONTHS.indexOf(text as (typeof MONTHS)[number]);
  if (byName >= 0) return byName + 1;
  if (/^\d{1,2}$/.test(text) && Number(text) >= 1 && Number(text) <= 12) return Number(text);
  return null;
}

function assertMonth(month: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`Not a month from 1 to 12: ${month}`);
}

/**
 * The first day of the fiscal year that holds `periodEnd`: with a fiscal year from April, 2026-02-28 → 2025-04-01 and
 * 2026-04-30 → 2026-04-01. Throws RangeError for a date that is not one, or a month outside 1–12.
 */
export function fiscalYearStart(periodEnd: string, fiscalYearStartMonth: number): string {
  if (!isCalendarDate(periodEnd)) throw new RangeError(`Not a date like 2026-11-30: ${periodEnd}`);
  assertMonth(fiscalYearStartMonth);
  const year = Number(periodEnd.slice(0, 4));
  const month = Number(periodEnd.slice(5, 7));
  const startYear = month >= fiscalYearStartMonth ? year : year - 1;
  return `${pad(startYear, 4)}-${pad(fiscalYearStartMonth)}-01`;
}

/**
 * The Trial Balance request's range for a period end: from the fiscal year's first day to the period end, so that
 * balance-sheet accounts are at the period end and income and expense accounts for the fiscal year to it (see above).
 */
export function reportRangeFor(periodEnd: string, fiscalYearStartMonth: number): { startDate: string; endDate: string } {
  return { startDate: fiscalYearStart(periodEnd, fiscalYearStartMonth), endDate: periodEnd };
}
