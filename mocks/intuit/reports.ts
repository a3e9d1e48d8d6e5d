// The Reports API, as far as the product uses it (intuit.md §10): the Trial Balance, from the company's journal.
//
//   GET /v3/company/{realmId}/reports/TrialBalance?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD
//       &accounting_method=Accrual|Cash[&date_macro=…]&minorversion=75
//
// - The period: start_date and end_date when given; else date_macro (Intuit's list: Today, Yesterday, This Week, …,
//   This Fiscal Year-to-date, Last Fiscal Year, Next Fiscal Year); with neither, this fiscal year to date (an
//   assumption: Intuit's reference gives no default for this report). One date alone: end_date defaults to today,
//   start_date to the first day of end_date's fiscal year. A date that is not YYYY-MM-DD or does not exist, a start
//   after the end, an unknown macro or method: a 400 ValidationFault, code 2010 (the code is assumed, as for CDC).
// - Balance-sheet accounts: cumulative to end_date. Income and expense accounts: start_date to end_date, never before
//   the fiscal year that holds end_date; prior years' profit (and, to keep the report balanced, the current year's
//   before start_date) is in Retained Earnings. See journal.ts periodBalances for the sources.
// - accounting_method: echoed as ReportBasis (default Accrual, QuickBooks Online's default preference). The journal
//   has no invoices or bills, only journal entries, which count the same on both bases, so the emulator computes
//   Cash exactly as Accrual. That is a simplification: a real company's cash basis leaves out unpaid invoices and bills.
// - The answer's shape (intuit.md §10): Header {Time, ReportName "TrialBalance", DateMacro when one was asked,
//   ReportBasis, StartPeriod, EndPeriod, Currency, Option [{NoReportData}]}; Columns with ColKey account / debit /
//   credit; one data row per account with a balance, `ColData: [{value: FullyQualifiedName, id}, {value: debit},
//   {value: credit}]`, exactly one amount filled (two decimals) and the other ""; accounts at zero left out; then the
//   grand total, a Summary row with group "GrandTotal". Nothing to show: Option NoReportData "true" and no rows.
// - Rows in QuickBooks' order of account types (assets, liabilities, equity, income, cost of goods sold, expenses,
//   other income, other expenses), then by account number, then by name. Sub-accounts are rows of their own.
// Other report names answer 400: the emulator does not produce them.

import type { ServiceError } from "./intuit-responses";
import { addDays, fiscalYearStart, isCalendarDate, periodBalances, type JournalEntry, type LedgerAccount } from "./journal";
import { intuitLocalTime } from "./intuit-time";

export const TRIAL_BALANCE = "TrialBalance";

export type AccountingMethod = "Accrual" | "Cash";

export interface ReportRequest {
  start: string;
  end: string;
  basis: AccountingMethod;
  /** As asked, when the period came from a macro. */
  dateMacro: string | null;
}

function invalid(detail: string): { error: ServiceError } {
  return { error: { message: "Request has invalid or unsupported property", detail, code: "2010" } };
}

const dayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const monthStart = (date: string) => `${date.slice(0, 7)}-01`;
function addMonths(date: string, months: number): string {
  const [year, month] = date.split("-").map(Number) as [number, number];
  const index = year * 12 + (month - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}-01`;
}
/** The same day of the month `months` away, or that month's last day. */
function sameDayMonths(date: string, months: number): string {
  const first = addMonths(date, months);
  const last = addDays(addMonths(first, 1), -1);
  const day = `${first.slice(0, 8)}${date.slice(8)}`;
  return isCalendarDate(day) && day <= last ? day : last;
}

/** Intuit's date_macro values (Reports API reference), as [start, end] from the company's today and fiscal year. */
function macroRange(macro: string, today: string, fiscalStartMonth: number): [string, string] | null {
  const week = addDays(today, -dayOf(today));
  const month = monthStart(today);
  const year = fiscalYearStart(today, fiscalStartMonth);
  const quarter = addMonths(year, Math.floor((Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - (Number(year.slice(0, 4)) * 12 + Number(year.slice(5, 7)))) / 3) * 3);
  const ranges: Record<string, [string, string]> = {
    today: [today, today],
    yesterday: [addDays(today, -1), addDays(today, -1)],
    "this week": [week, addDays(week, 6)],
    "last week": [addDays(week, -7), addDays(week, -1)],
    "this week-to-date": [week, today],
    "last week-to-date": [addDays(week, -7), addDays(today, -7)],
    "next week": [addDays(week, 7), addDays(week, 13)],
    "next 4 weeks": [addDays(week, 7), addDays(week, 34)],
    "this month": [month, addDays(addMonths(month, 1), -1)],
    "last month": [addMonths(month, -1), addDays(month, -1)],
    "this month-to-date": [month, today],
    "last month-to-date": [addMonths(month, -1), sameDayMonths(today, -1)],
    "next month": [addMonths(month, 1), addDays(addMonths(month, 2), -1)],
    "this fiscal quarter": [quarter, addDays(addMonths(quarter, 3), -1)],
    "last fiscal quarter": [addMonths(quarter, -3), addDays(quarter, -1)],
    "this fiscal quarter-to-date": [quarter, today],
    "last fiscal quarter-to-date": [addMonths(quarter, -3), sameDayMonths(today, -3)],
    "next fiscal quarter": [addMonths(quarter, 3), addDays(addMonths(quarter, 6), -1)],
    "this fiscal year": [year, addDays(addMonths(year, 12), -1)],
    "last fiscal year": [addMonths(year, -12), addDays(year, -1)],
    "this fiscal year-to-date": [year, today],
    "last fiscal year-to-date": [addMonths(year, -12), sameDayMonths(today, -12)],
    "next fiscal year": [addMonths(year, 12), addDays(addMonths(year, 24), -1)],
  };
  return ranges[macro.trim().toLowerCase()] ?? null;
}

/** Reads a report's query string against the company's today ("YYYY-MM-DD") and fiscal year. */
export function parseReportRequest(url: URL, today: string, fiscalStartMonth: number): ReportRequest | { error: ServiceError } {
  const param = (name: string) => {
    const value = url.searchParams.get(name)?.trim();
    return value ? value : null;
  };
  const method = param("accounting_method") ?? "Accrual";
  const basis = (["Accrual", "Cash"] as const).find((known) => known.toLowerCase() === method.toLowerCase());
  if (!basis) return invalid(`Property Name:accounting_method specified is unsupported or invalid: ${method}`);
  for (const name of ["start_date", "end_date"]) {
    const value = param(name);
    if (value !== null && !isCalendarDate(value)) return invalid(`Property Name:${name} specified is unsupported or invalid: ${value}`);
  }
  const dateMacro = param("date_macro");
  const macro = dateMacro === null ? null : macroRange(dateMacro, today, fiscalStartMonth);
  if (dateMacro !== null && macro === null) return invalid(`Property Name:date_macro specified is unsupported or invalid: ${dateMacro}`);
  const explicitStart = param("start_date");
  const explicitEnd = param("end_date");
  const fallback = macro ?? (explicitStart === null && explicitEnd === null ? [fiscalYearStart(today, fiscalStartMonth), today] : null);
  const end = explicitEnd ?? fallback?.[1] ?? today;
  const start = explicitStart ?? fallback?.[0] ?? fiscalYearStart(end, fiscalStartMonth);
  if (start > end) return invalid(`Property Name:start_date specified is after end_date: ${start} > ${end}`);
  return { start, end, basis, dateMacro: macro === null ? null : dateMacro };
}

/** An account as the report needs it: the chart's JSON fields (accounts.ts). */
export interface ReportAccount extends LedgerAccount {
  id: string;
  /** FullyQualifiedName, as the report prints it. */
  name: string;
  accountType: string;
  acctNum: string | null;
}

/** QuickBooks' order of account types in its reports. */
const TYPE_ORDER = [
  "Bank",
  "Accounts Receivable",
  "Other Current Asset",
  "Fixed Asset",
  "Other Asset",
  "Accounts Payable",
  "Credit Card",
  "Other Current Liability",
  "Long Term Liability",
  "Equity",
  "Income",
  "Cost of Goods Sold",
  "Expense",
  "Other Income",
  "Other Expense",
];

/** Cents (≥ 0) as the report writes money: "4151.74". */
function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

function column(title: string, type: string, key: string): Record<string, unknown> {
  return { ColTitle: title, ColType: type, MetaData: [{ Name: "ColKey", Value: key }] };
}

export interface TrialBalanceInput {
  request: ReportRequest;
  accounts: readonly ReportAccount[];
  entries: readonly JournalEntry[];
  fiscalYearStartMonth: number;
  currency: string;
  /** The emulator's clock, epoch ms. */
  now: number;
}

/** The TrialBalance report document, as Intuit answers it (without `time`: reports carry Header.Time instead). */
export function trialBalanceReport(input: TrialBalanceInput): Record<string, unknown> {
  const { request } = input;
  const byId = new Map(input.accounts.map((account) => [account.id, account]));
  const net = periodBalances(input.entries, byId, { start: request.start, end: request.end }, input.fiscalYearStartMonth);
  const rank = (account: ReportAccount) => {
    const index = TYPE_ORDER.indexOf(account.accountType);
    return index === -1 ? TYPE_ORDER.length : index;
  };
  const rows = input.accounts
    .filter((account) => (net.get(account.id) ?? 0) !== 0)
    .sort((a, b) => rank(a) - rank(b) || (a.acctNum ?? "").localeCompare(b.acctNum ?? "") || a.name.localeCompare(b.name) || Number(a.id) - Number(b.id));
  let debits = 0;
  let credits = 0;
  const dataRows = rows.map((account) => {
    const cents = net.get(account.id)!;
    if (cents > 0) debits += cents;
    else credits -= cents;
    return {
      ColData: [{ value: account.name, id: account.id }, { value: cents > 0 ? money(cents) : "" }, { value: cents < 0 ? money(-cents) : "" }],
      type: "Data",
    };
  });
  const empty = dataRows.length === 0;
  return {
    Header: {
      Time: intuitLocalTime(input.now),
      ReportName: TRIAL_BALANCE,
      ...(request.dateMacro === null ? {} : { DateMacro: request.dateMacro.toLowerCase() }),
      ReportBasis: request.basis,
      StartPeriod: request.start,
      EndPeriod: request.end,
      Currency: input.currency,
      Option: [{ Name: "NoReportData", Value: String(empty) }],
    },
    Columns: { Column: [column("", "Account", "account"), column("Debit", "Money", "debit"), column("Credit", "Money", "credit")] },
    Rows: empty
      ? {}
      : {
          Row: [
            ...dataRows,
            { Summary: { ColData: [{ value: "TOTAL" }, { value: money(debits) }, { value: money(credits) }] }, type: "Section", group: "GrandTotal" },
          ],
        },
  };
}
