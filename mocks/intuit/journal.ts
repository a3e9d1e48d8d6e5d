// Each company's books: a journal of dated, balanced entries (debits = credits) posting to account ids. Every balance
// the emulator answers derives from it, as QuickBooks derives them from its transactions (intuit.md §10):
// - the Account entity's CurrentBalance: the account's balance as of the emulator's today (its clock, in the
//   company's zone), for balance-sheet accounts only (accounts.ts);
// - the Trial Balance report as of any date (reports.ts, through periodBalances below);
// - change data capture: an entry posted is a JournalEntry created at its post time (store.ts records it), while the
//   accounts it posts to do not change (CDC reports an Account only when the account itself is edited).
//
// The fixtures' books (fixtures.ts: a balance per account, the day the emulator starts) are restated as two entries
// (restateBalances): the balance sheet brought forward on the last day of the previous fiscal year, and the fiscal
// year's profit and loss to date, summarised, on the first day of the current one. So the chart's balances hold as of
// any date from the first day of the current fiscal year on, until something else is posted: a reconciliation stated
// as of the seed day, or of a month end earlier in the same fiscal year, finds QuickBooks' side exactly as the demo
// chart says, deliberate differences included. (Before the fiscal year began, e.g. closing December in January, the
// books hold the brought-forward balances instead, and last year's profit is in Retained Earnings.)
//
// Signs: a line's amount is in cents, a debit positive and a credit negative. A balance in an account's natural sign
// (db/demo-chart.ts, and CurrentBalance) is that sum for assets and expenses and its opposite for liabilities, equity
// and income.

import { intuitLocalTime } from "./intuit-time";

export interface JournalLine {
  accountId: string;
  /** Cents, debit positive, credit negative; never 0. */
  amountCents: number;
  description?: string;
}

/** fixture: the restated books; posted: entered through the control endpoint; adjustment: a balance set on an account. */
export type JournalEntryKind = "fixture" | "posted" | "adjustment";

export interface JournalEntry {
  /** QuickBooks' transaction Id, numbered per company. */
  id: string;
  /** TxnDate, "YYYY-MM-DD": the day it counts on in reports and balances. */
  date: string;
  /** PrivateNote. */
  memo: string;
  docNumber: string | null;
  kind: JournalEntryKind;
  lines: readonly JournalLine[];
  /** When it was entered (epoch ms): its MetaData times, and when CDC reports it. */
  createdAt: number;
}

export interface NewJournalEntry {
  date: string;
  memo?: string;
  docNumber?: string;
  kind?: JournalEntryKind;
  lines: readonly JournalLine[];
}

/** An entry the fixtures' books start with: restateBalances' output. */
export type FixtureEntry = Omit<NewJournalEntry, "kind">;

/** A journal entry QuickBooks would refuse; the control endpoint answers it as a 400 (404: no such company). */
export class JournalError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- dates

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "YYYY-MM-DD" naming a day that exists. */
export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** The day `days` after (or before) a "YYYY-MM-DD" date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The company's date at an instant: the day part of Intuit's local time (intuit-time.ts). */
export function localDate(epochMs: number): string {
  return intuitLocalTime(epochMs).slice(0, 10);
}

/** The first day of the fiscal year that holds `date`, for a year that starts in `startMonth` (1 to 12). */
export function fiscalYearStart(date: string, startMonth: number): string {
  const [year, month] = date.split("-").map(Number) as [number, number];
  const startYear = month >= startMonth ? year : year - 1;
  return `${startYear}-${String(startMonth).padStart(2, "0")}-01`;
}

// ---------------------------------------------------------------- classifications

/** QuickBooks' Classification of an account (accounts.ts derives it from the AccountType). */
export type Classification = "Asset" | "Liability" | "Equity" | "Revenue" | "Expense";

/** Balance-sheet accounts carry a CurrentBalance and accumulate for ever; the others restart every fiscal year. */
export function isBalanceSheet(classification: string): boolean {
  return classification === "Asset" || classification === "Liability" || classification === "Equity";
}

/** +1 where the natural balance is a debit (assets, expenses), -1 where it is a credit. */
export function naturalSign(classification: string): 1 | -1 {
  return classification === "Asset" || classification === "Expense" ? 1 : -1;
}

/** What the ledger needs to know of an account. */
export interface LedgerAccount {
  classification: string;
  accountSubType: string;
}

const RETAINED_EARNINGS = "RetainedEarnings";
const OPENING_BALANCE_EQUITY = "OpeningBalanceEquity";

/** The company's Retained Earnings (AccountSubType RetainedEarnings), or undefined. */
export function retainedEarningsId(accounts: ReadonlyMap<string, LedgerAccount>): string | undefined {
  for (const [id, account] of accounts) if (account.accountSubType === RETAINED_EARNINGS) return id;
  return undefined;
}

/** The company's Opening Balance Equity, where QuickBooks posts the other side of opening balances, or undefined. */
export function openingBalanceEquityId(accounts: ReadonlyMap<string, LedgerAccount>): string | undefined {
  for (const [id, account] of accounts) if (account.accountSubType === OPENING_BALANCE_EQUITY) return id;
  return undefined;
}

// ---------------------------------------------------------------- balances

export interface PeriodRange {
  /** First day of the profit-and-loss period; null: the start of the fiscal year that holds `end`. */
  start: string | null;
  /** Last day counted, inclusive. */
  end: string;
}

/**
 * Each account's net debit (cents, credit negative) over a period, the way QuickBooks' reports count it:
 * - balance-sheet accounts: everything dated up to `end`;
 * - income and expense accounts: what is dated from the later of `start` and the first day of the fiscal year that
 *   holds `end`, to `end`;
 * - Retained Earnings: its own entries up to `end`, plus the net income of everything the income and expense accounts
 *   leave out. QuickBooks closes each fiscal year into Retained Earnings by itself: "At the end of each fiscal year,
 *   QuickBooks automatically 'closes the year' and posts Net Income to the Retained Earnings account … Each new fiscal
 *   year starts with a net income of zero" (Intuit, firmofthefuture.com, "Using Retained Earnings Account to Track
 *   Changes in Prior Years"; an Intuit community answer on the UK trial balance shows a Retained Earnings line once the
 *   period crosses the year end, and the profit-and-loss lines instead before it). For the part of the current fiscal
 *   year before a later `start`, Intuit says nothing found; the emulator carries it in Retained Earnings too, so that
 *   the report still balances (an assumption).
 * Accounts with nothing come back absent or 0. An entry posting to an account the map does not know counts as a
 * balance-sheet one.
 */
export function periodBalances(entries: readonly JournalEntry[], accounts: ReadonlyMap<string, LedgerAccount>, range: PeriodRange, fiscalYearStartMonth: number): Map<string, number> {
  const yearStart = fiscalYearStart(range.end, fiscalYearStartMonth);
  const profitFrom = range.start !== null && range.start > yearStart ? range.start : yearStart;
  const net = new Map<string, number>();
  let closed = 0;
  for (const entry of entries) {
    if (entry.date > range.end) continue;
    for (const line of entry.lines) {
      const account = accounts.get(line.accountId);
      if (account && !isBalanceSheet(account.classification) && entry.date < profitFrom) {
        closed += line.amountCents;
        continue;
      }
      net.set(line.accountId, (net.get(line.accountId) ?? 0) + line.amountCents);
    }
  }
  if (closed !== 0) {
    const retained = retainedEarningsId(accounts);
    // Every QuickBooks company has one; the fixtures give every company one.
    if (retained === undefined) throw new Error("The company has no Retained Earnings account to close prior years into");
    net.set(retained, (net.get(retained) ?? 0) + closed);
  }
  return net;
}

/**
 * Each account's balance in its natural sign as of `date`: balance-sheet accounts' balances, income and expense
 * accounts' fiscal year to date (what accounts.ts serves as CurrentBalance, for the balance-sheet ones only).
 */
export function naturalBalancesAsOf(entries: readonly JournalEntry[], accounts: ReadonlyMap<string, LedgerAccount>, date: string, fiscalYearStartMonth: number): Map<string, number> {
  const net = periodBalances(entries, accounts, { start: null, end: date }, fiscalYearStartMonth);
  const natural = new Map<string, number>();
  for (const [id, cents] of net) natural.set(id, naturalSign(accounts.get(id)?.classification ?? "Asset") * cents + 0);
  return natural;
}

// ---------------------------------------------------------------- the fixtures' books as entries

export interface RestatedAccount extends LedgerAccount {
  id: string;
  active: boolean;
  /** The fixtures' balance in the natural sign: balance sheet as of today, income and expense for the fiscal year to date. */
  balanceCents: number;
}

/** Merges lines on the same account and drops zeros, keeping the first-seen order. */
function mergedLines(lines: readonly JournalLine[]): JournalLine[] {
  const sums = new Map<string, number>();
  for (const line of lines) sums.set(line.accountId, (sums.get(line.accountId) ?? 0) + line.amountCents);
  return [...sums].filter(([, cents]) => cents !== 0).map(([accountId, amountCents]) => ({ accountId, amountCents }));
}

/**
 * The fixtures' balances as journal entries, for a fiscal year starting on `yearStart`:
 * 1. "Opening balances", dated the day before `yearStart`: every balance-sheet account at its balance less this
 *    year's movement. The year's net income is taken as having built up the asset with the largest balance (one
 *    summarised movement; any asset would do); whatever does not balance goes to Opening Balance Equity, as QuickBooks
 *    does with opening balances entered account by account (the demo chart balances, so it gets nothing).
 * 2. "Fiscal year to date", dated `yearStart`: every income and expense account's year to date, and that asset's
 *    share.
 * Nothing when every balance is zero.
 */
export function restateBalances(accounts: readonly RestatedAccount[], yearStart: string): FixtureEntry[] {
  const withBalance = accounts.filter((account) => account.balanceCents !== 0);
  if (withBalance.length === 0) return [];
  const inDebits = (account: RestatedAccount) => naturalSign(account.classification) * account.balanceCents;
  const balanceSheet = withBalance.filter((account) => isBalanceSheet(account.classification));
  const profitAndLoss = withBalance.filter((account) => !isBalanceSheet(account.classification));
  // Net income in debits is minus the profit-and-loss lines' sum.
  const netIncome = -profitAndLoss.reduce((sum, account) => sum + inDebits(account), 0);
  const imbalance = withBalance.reduce((sum, account) => sum + inDebits(account), 0);
  const byId = new Map(accounts.map((account) => [account.id, account]));
  const grown = accounts
    .filter((account) => account.classification === "Asset" && account.active)
    .reduce<RestatedAccount | undefined>((best, account) => (!best || account.balanceCents > best.balanceCents ? account : best), undefined);
  const openingEquity = openingBalanceEquityId(byId);
  const grownId = grown?.id ?? openingEquity;
  if ((netIncome !== 0 && grownId === undefined) || (imbalance !== 0 && openingEquity === undefined)) {
    throw new Error("The fixtures' chart has no account to restate its balances against");
  }

  const opening = mergedLines([
    ...balanceSheet.map((account) => ({ accountId: account.id, amountCents: inDebits(account) })),
    ...(netIncome !== 0 ? [{ accountId: grownId!, amountCents: -netIncome }] : []),
    ...(imbalance !== 0 ? [{ accountId: openingEquity!, amountCents: -imbalance }] : []),
  ]);
  const yearToDate = mergedLines([
    ...profitAndLoss.map((account) => ({ accountId: account.id, amountCents: inDebits(account) })),
    ...(netIncome !== 0 ? [{ accountId: grownId!, amountCents: netIncome }] : []),
  ]);
  const entries: FixtureEntry[] = [];
  if (opening.length > 0) entries.push({ date: addDays(yearStart, -1), memo: "Opening balances brought forward", docNumber: "OB-1", lines: opening });
  if (yearToDate.length > 0) entries.push({ date: yearStart, memo: "Fiscal year to date, summarised", docNumber: "YTD-1", lines: yearToDate });
  return entries;
}

// ---------------------------------------------------------------- the journal

/** Checks an entry as QuickBooks checks a JournalEntry: a day, two lines or more, no empty line, debits = credits. */
export function checkEntry(entry: NewJournalEntry): void {
  if (!isCalendarDate(entry.date)) throw new JournalError(`TxnDate must be a date written YYYY-MM-DD: ${JSON.stringify(entry.date)}`);
  if (entry.lines.length < 2) throw new JournalError("A journal entry needs at least two lines.");
  for (const line of entry.lines) {
    if (!Number.isSafeInteger(line.amountCents) || line.amountCents === 0) throw new JournalError(`Each line needs an amount other than zero (account ${line.accountId}).`);
  }
  const sum = entry.lines.reduce((total, line) => total + line.amountCents, 0);
  // Intuit's 6000-series business validation: "Transaction Not Balanced".
  if (sum !== 0) throw new JournalError(`Transaction Not Balanced: the debits and credits differ by ${(Math.abs(sum) / 100).toFixed(2)}.`);
}

export interface JournalOptions {
  /** The emulator's clock (epoch ms). */
  now: () => number;
  /** The entries a company's books start with, given the company's today ("YYYY-MM-DD"). */
  fixtures: (realmId: string, today: string) => readonly FixtureEntry[];
}

/** Per realm: the entries, built from the fixtures on first use (with the clock's today then) and dropped by reset(). */
export function createJournal(options: JournalOptions) {
  const books = new Map<string, { entries: JournalEntry[]; nextId: number }>();

  function book(realmId: string) {
    let found = books.get(realmId);
    if (!found) {
      const now = options.now();
      const entries = options.fixtures(realmId, localDate(now)).map((fixture, index) => {
        checkEntry(fixture);
        // Entered before the emulator started: the morning of their day, or now if that is still to come.
        const createdAt = Math.min(now, Date.parse(`${fixture.date}T09:00:00-07:00`));
        return { id: String(index + 1), date: fixture.date, memo: fixture.memo ?? "", docNumber: fixture.docNumber ?? null, kind: "fixture" as const, lines: fixture.lines, createdAt };
      });
      found = { entries, nextId: entries.length + 1 };
      books.set(realmId, found);
    }
    return found;
  }

  return {
    /** The realm's entries in the order they were entered. */
    entries(realmId: string): readonly JournalEntry[] {
      return book(realmId).entries;
    },
    /** Enters a checked entry now; the caller has checked that its accounts exist. Throws JournalError. */
    post(realmId: string, input: NewJournalEntry): JournalEntry {
      checkEntry(input);
      const target = book(realmId);
      const entry: JournalEntry = {
        id: String(target.nextId),
        date: input.date,
        memo: input.memo ?? "",
        docNumber: input.docNumber ?? null,
        kind: input.kind ?? "posted",
        lines: input.lines.map((line) => ({ ...line })),
        createdAt: options.now(),
      };
      target.nextId += 1;
      target.entries.push(entry);
      return entry;
    },
    reset(): void {
      books.clear();
    },
  };
}

export type Journal = ReturnType<typeof createJournal>;

/** Intuit's JournalEntry JSON (JournalEntry entity reference): each line a Debit or a Credit of a positive Amount. */
export function journalEntryRecord(entry: JournalEntry, accountName: (id: string) => string | undefined, currency: { value: string; name: string }): Record<string, unknown> {
  const time = intuitLocalTime(entry.createdAt);
  return {
    Adjustment: entry.kind === "adjustment",
    domain: "QBO",
    sparse: false,
    Id: entry.id,
    SyncToken: "0",
    MetaData: { CreateTime: time, LastUpdatedTime: time },
    ...(entry.docNumber === null ? {} : { DocNumber: entry.docNumber }),
    TxnDate: entry.date,
    CurrencyRef: currency,
    ...(entry.memo ? { PrivateNote: entry.memo } : {}),
    Line: entry.lines.map((line, index) => ({
      Id: String(index),
      ...(line.description ? { Description: line.description } : {}),
      Amount: Math.abs(line.amountCents) / 100,
      DetailType: "JournalEntryLineDetail",
      JournalEntryLineDetail: {
        PostingType: line.amountCents > 0 ? "Debit" : "Credit",
        AccountRef: { value: line.accountId, ...(accountName(line.accountId) === undefined ? {} : { name: accountName(line.accountId) }) },
      },
    })),
    TxnTaxDetail: {},
  };
}
