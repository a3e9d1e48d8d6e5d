// The emulator's books (issue 17, point 2): a journal of dated, balanced entries per company from which the Account
// query's CurrentBalance (balance-sheet accounts only), the Trial Balance as of any date and CDC all derive; the demo
// chart restated as entries, its deliberate differences kept; sandbox and production companies with other account ids
// and the same account numbers and names. Over raw HTTP like handlers.test.ts.

import { describe, expect, it } from "vitest";
import { DEMO_CHART, DEMO_DIFFERENCES, DEMO_PRODUCTION_REALMS, DEMO_QBO_ONLY_ACCOUNTS, DEMO_REALMS, demoLedgerFor, demoProductionAccountId, demoQboAccounts } from "../../db/demo-chart";
import { LARGE_COMPANY_REALM_ID } from "./fixtures";
import { addDays, fiscalYearStart } from "./journal";
import { completeConsent } from "./node";
import { useIntuitMock } from "./vitest";

const intuit = useIntuitMock("http://intuit.test", { redirectUris: ["http://localhost:3000/callback"] });
const REDIRECT = "http://localhost:3000/callback";
const ACME = DEMO_REALMS.acme;
const GLOBEX = DEMO_REALMS.globex;
const ACME_PRODUCTION = DEMO_PRODUCTION_REALMS.acme;

interface AccountJson {
  Id: string;
  Name: string;
  FullyQualifiedName: string;
  AcctNum?: string;
  Classification: string;
  CurrentBalance?: number;
  CurrentBalanceWithSubAccounts?: number;
  SyncToken: string;
}
interface Cell {
  value: string;
  id?: string;
}
interface ReportRow {
  ColData?: Cell[];
  Summary?: { ColData: Cell[] };
  type?: string;
  group?: string;
}
interface ReportJson {
  Header: { ReportName: string; ReportBasis: string; StartPeriod: string; EndPeriod: string; Currency: string; Time: string; DateMacro?: string; Option: { Name: string; Value: string }[] };
  Columns: { Column: { ColTitle: string; ColType: string; MetaData: { Name: string; Value: string }[] }[] };
  Rows: { Row?: ReportRow[] };
}
interface JournalEntryJson {
  Id: string;
  TxnDate: string;
  DocNumber?: string;
  PrivateNote?: string;
  Adjustment: boolean;
  Line: { Amount: number; JournalEntryLineDetail: { PostingType: "Debit" | "Credit"; AccountRef: { value: string; name?: string } } }[];
}
type FaultJson = { Fault: { Error: { Message: string; Detail: string; code: string }[]; type: string } };

const keys = {
  sandbox: () => ({ id: intuit.clientId, secret: intuit.clientSecret }),
  production: () => ({ id: intuit.productionClientId, secret: intuit.productionClientSecret }),
};

function authorizeUrl(clientId: string): string {
  const params = new URLSearchParams({ client_id: clientId, response_type: "code", scope: "com.intuit.quickbooks.accounting", redirect_uri: REDIRECT, state: "s" });
  return `${intuit.authorizeUrl}?${params}`;
}

async function connect(realmId: string, environment: "sandbox" | "production" = "sandbox"): Promise<string> {
  const { id, secret } = keys[environment]();
  const callback = await completeConsent(authorizeUrl(id), { realmId });
  expect(callback.searchParams.get("realmId")).toBe(realmId);
  const response = await fetch(intuit.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${id}:${secret}`)}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code: callback.searchParams.get("code") ?? "", redirect_uri: REDIRECT }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function get(token: string | null, realmId: string, path: string, query: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${intuit.origin}/v3/company/${realmId}/${path}?${new URLSearchParams({ ...query, minorversion: "75" })}`, { headers });
}

async function chart(token: string, realmId: string): Promise<AccountJson[]> {
  const response = await get(token, realmId, "query", { query: "select * from Account where Active in (true,false) maxresults 1000" });
  expect(response.status).toBe(200);
  return ((await response.json()) as { QueryResponse: { Account: AccountJson[] } }).QueryResponse.Account;
}

async function trialBalance(token: string, realmId: string, query: Record<string, string>): Promise<ReportJson> {
  const response = await get(token, realmId, "reports/TrialBalance", query);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ReportJson;
}

/** The report's accounts by id: net debit in cents (credit negative), read by the columns' ColKey, not by position. */
function readReport(report: ReportJson): { accounts: Map<string, { name: string; cents: number }>; total: { debit: number; credit: number } | null } {
  const index = (key: string) => report.Columns.Column.findIndex((column) => column.MetaData.some((m) => m.Name === "ColKey" && m.Value === key));
  const [account, debit, credit] = [index("account"), index("debit"), index("credit")];
  const cents = (cell: Cell) => (cell.value === "" ? 0 : Math.round(Number(cell.value) * 100));
  const accounts = new Map<string, { name: string; cents: number }>();
  let total: { debit: number; credit: number } | null = null;
  for (const row of report.Rows.Row ?? []) {
    if (row.Summary) {
      total = { debit: cents(row.Summary.ColData[debit]!), credit: cents(row.Summary.ColData[credit]!) };
      continue;
    }
    const cells = row.ColData!;
    accounts.set(cells[account]!.id!, { name: cells[account]!.value, cents: cents(cells[debit]!) - cents(cells[credit]!) });
  }
  return { accounts, total };
}

const cents = (amount: string) => Math.round(Number(amount) * 100);
/** A demo balance (natural sign) as the report's net debit. */
const inDebits = (type: string, amount: string) => (type === "asset" || type === "expense" ? 1 : -1) * cents(amount) + 0;

function postJournal(body: unknown): Promise<Response> {
  return fetch(`${intuit.origin}/__emulator/journal`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("CurrentBalance", () => {
  it("is served for balance-sheet accounts only, today's balance in the natural sign; income and expense accounts have none", async () => {
    const token = await connect(ACME);
    const accounts = await chart(token, ACME);
    for (const demo of DEMO_CHART) {
      const account = accounts.find((a) => a.Id === demo.qbo.id)!;
      expect(account.AcctNum, demo.code).toBe(demo.code);
      if (demo.type === "income" || demo.type === "expense") {
        expect(account, demo.code).not.toHaveProperty("CurrentBalance");
        expect(account, demo.code).not.toHaveProperty("CurrentBalanceWithSubAccounts");
      } else {
        expect(account.CurrentBalance!.toFixed(2), demo.code).toBe(demo.qbo.balances.acme);
      }
    }
    // QuickBooks' own defaults have no account number.
    for (const only of DEMO_QBO_ONLY_ACCOUNTS) expect(accounts.find((a) => a.Id === only.id), only.name).not.toHaveProperty("AcctNum");
    // Liabilities in credit and contra assets read as the demo chart states them.
    expect(accounts.find((a) => a.Id === "33")!.CurrentBalance).toBe(41276.9);
    expect(accounts.find((a) => a.Id === "39")!.CurrentBalance).toBe(-74600);
  });
});

describe("the fixtures' books", () => {
  it("are two balanced entries, the balances brought forward and the fiscal year to date, listed by GET /__emulator/journal", async () => {
    const listed = (await (await fetch(`${intuit.origin}/__emulator/journal?realmId=${ACME}`)).json()) as { today: string; entries: JournalEntryJson[] };
    expect(listed.today).toBe(intuit.emulator.today());
    const yearStart = fiscalYearStart(listed.today, 1);
    expect(listed.entries.map((e) => [e.Id, e.TxnDate, e.DocNumber])).toEqual([
      ["1", addDays(yearStart, -1), "OB-1"],
      ["2", yearStart, "YTD-1"],
    ]);
    for (const entry of listed.entries) {
      const sum = (type: string) => entry.Line.filter((l) => l.JournalEntryLineDetail.PostingType === type).reduce((s, l) => s + Math.round(l.Amount * 100), 0);
      expect(sum("Debit")).toBe(sum("Credit"));
    }
    // Every income and expense account's year to date is in the second, dated the first day of the fiscal year.
    const profitAndLoss = DEMO_CHART.filter((a) => (a.type === "income" || a.type === "expense") && Number(a.qbo.balances.acme) !== 0);
    const ytd = new Set(listed.entries[1]!.Line.map((l) => l.JournalEntryLineDetail.AccountRef.value));
    for (const account of profitAndLoss) expect(ytd.has(account.qbo.id), account.code).toBe(true);
  });

  it("give the demo chart's balances in the Trial Balance as of today and as of an earlier day of the year, deliberate differences intact", async () => {
    const token = await connect(ACME);
    const today = intuit.emulator.today();
    const yearStart = fiscalYearStart(today, 1);
    for (const end of [today, yearStart]) {
      const report = await trialBalance(token, ACME, { start_date: yearStart, end_date: end, accounting_method: "Accrual" });
      const { accounts, total } = readReport(report);
      for (const demo of DEMO_CHART) expect(accounts.get(demo.qbo.id)?.cents ?? 0, `${demo.code} as of ${end}`).toBe(inDebits(demo.type, demo.qbo.balances.acme));
      expect(total!.debit).toBe(total!.credit);
      // AWRA's ledger differs from it exactly where the demo says.
      const differing = demoLedgerFor("acme").filter((row) => inDebits(row.type, row.balance) !== (accounts.get(DEMO_CHART.find((a) => a.code === row.code)!.qbo.id)?.cents ?? 0));
      expect(differing.map((row) => row.code)).toEqual(DEMO_DIFFERENCES.acme.map((d) => d.code));
    }
    // Globex's own balances, with its zero accounts left out.
    const globexToken = await connect(GLOBEX);
    const globex = readReport(await trialBalance(globexToken, GLOBEX, { start_date: yearStart, end_date: today }));
    for (const demo of DEMO_CHART) expect(globex.accounts.get(demo.qbo.id)?.cents ?? 0, demo.code).toBe(inDebits(demo.type, demo.qbo.balances.globex));
    expect(globex.accounts.has("4")).toBe(false);
  });
});

describe("GET /v3/company/:realmId/reports/TrialBalance", () => {
  it("answers Intuit's shape: header, ColKey columns, one of debit and credit per row as two-decimal strings, a grand total", async () => {
    const token = await connect(ACME);
    const today = intuit.emulator.today();
    const report = await trialBalance(token, ACME, { start_date: fiscalYearStart(today, 1), end_date: today, accounting_method: "Cash" });
    expect(report.Header).toMatchObject({ ReportName: "TrialBalance", ReportBasis: "Cash", StartPeriod: fiscalYearStart(today, 1), EndPeriod: today, Currency: "USD", Option: [{ Name: "NoReportData", Value: "false" }] });
    expect(report.Header.Time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-07:00$/);
    expect(report.Header).not.toHaveProperty("DateMacro");
    expect(report.Columns.Column).toEqual([
      { ColTitle: "", ColType: "Account", MetaData: [{ Name: "ColKey", Value: "account" }] },
      { ColTitle: "Debit", ColType: "Money", MetaData: [{ Name: "ColKey", Value: "debit" }] },
      { ColTitle: "Credit", ColType: "Money", MetaData: [{ Name: "ColKey", Value: "credit" }] },
    ]);
    const rows = report.Rows.Row!;
    expect(rows[0]).toEqual({ ColData: [{ value: "Checking", id: "35" }, { value: "48210.37" }, { value: "" }], type: "Data" });
    expect(rows.find((r) => r.ColData?.[0]?.id === "33")).toEqual({ ColData: [{ value: "Accounts Payable (A/P)", id: "33" }, { value: "" }, { value: "41276.90" }], type: "Data" });
    for (const row of rows.slice(0, -1)) {
      const [, debit, credit] = row.ColData!;
      expect([debit!.value, credit!.value].filter((v) => v !== "")).toHaveLength(1);
      expect(debit!.value || credit!.value).toMatch(/^\d+\.\d{2}$/);
    }
    // Accounts at zero are left out: QuickBooks' defaults and the inactive one.
    for (const only of DEMO_QBO_ONLY_ACCOUNTS) expect(rows.some((r) => r.ColData?.[0]?.id === only.id), only.name).toBe(false);
    const last = rows.at(-1)!;
    expect(last).toMatchObject({ type: "Section", group: "GrandTotal", Summary: { ColData: [{ value: "TOTAL" }, { value: expect.stringMatching(/^\d+\.\d{2}$/) }, { value: expect.stringMatching(/^\d+\.\d{2}$/) }] } });
    expect(last.Summary!.ColData[1]!.value).toBe(last.Summary!.ColData[2]!.value);
    expect(last).not.toHaveProperty("ColData");
  });

  it("is as of end_date: a transaction posted later changes later reports and today's CurrentBalance, not the earlier report", async () => {
    const token = await connect(ACME);
    const today = intuit.emulator.today();
    const yearStart = fiscalYearStart(today, 1);
    // The deposit in transit reaches QuickBooks, dated today; the supplier's bill is entered dated next week.
    const deposit = await postJournal({ realmId: ACME, date: today, memo: "Customer cheque deposited", lines: [{ accountId: "35", debit: "2500.00" }, { accountId: "84", credit: 2500 }] });
    expect(deposit.status).toBe(201);
    const entry = ((await deposit.json()) as { entry: JournalEntryJson }).entry;
    expect(entry).toMatchObject({ Id: "3", TxnDate: today, PrivateNote: "Customer cheque deposited", Adjustment: false });
    expect(entry.Line.map((l) => [l.JournalEntryLineDetail.AccountRef, l.JournalEntryLineDetail.PostingType, l.Amount])).toEqual([
      [{ value: "35", name: "Checking" }, "Debit", 2500],
      [{ value: "84", name: "Accounts Receivable (A/R)" }, "Credit", 2500],
    ]);
    const nextWeek = addDays(today, 7);
    expect((await postJournal({ realmId: ACME, date: nextWeek, lines: [{ accountId: "77", debit: "1185.00" }, { accountId: "33", credit: "1185.00" }] })).status).toBe(201);

    if (today !== yearStart) {
      const before = readReport(await trialBalance(token, ACME, { start_date: yearStart, end_date: addDays(today, -1) }));
      expect(before.accounts.get("35")!.cents).toBe(4_821_037);
    }
    const asOfToday = readReport(await trialBalance(token, ACME, { start_date: yearStart, end_date: today }));
    const later = readReport(await trialBalance(token, ACME, { start_date: yearStart, end_date: nextWeek }));
    expect(asOfToday.accounts.get("35")!.cents).toBe(5_071_037);
    expect(asOfToday.accounts.get("84")!.cents).toBe(6_181_845);
    expect(asOfToday.accounts.get("33")!.cents).toBe(-4_127_690);
    expect(later.accounts.get("33")!.cents).toBe(-4_246_190);
    expect(later.accounts.get("77")!.cents).toBe(525_000 + 118_500);
    expect(later.total!.debit).toBe(later.total!.credit);

    // CurrentBalance is today's: the deposit counts, the bill dated next week not yet; the accounts were not edited.
    const accounts = await chart(token, ACME);
    expect(accounts.find((a) => a.Id === "35")).toMatchObject({ CurrentBalance: 50710.37, SyncToken: "0" });
    expect(accounts.find((a) => a.Id === "33")).toMatchObject({ CurrentBalance: 41276.9, SyncToken: "0" });
  });

  it("closes prior fiscal years into Retained Earnings and shows only the year's income and expenses", async () => {
    const token = await connect(ACME);
    const today = intuit.emulator.today();
    const yearStart = fiscalYearStart(today, 1);
    const nextYearStart = fiscalYearStart(addDays(yearStart, 370), 1);
    // Something earned next year.
    expect((await postJournal({ realmId: ACME, date: addDays(nextYearStart, 10), lines: [{ accountId: "35", debit: 100 }, { accountId: "55", credit: 100 }] })).status).toBe(201);

    const netIncome = DEMO_CHART.filter((a) => a.type === "income").reduce((s, a) => s + cents(a.qbo.balances.acme), 0) - DEMO_CHART.filter((a) => a.type === "expense").reduce((s, a) => s + cents(a.qbo.balances.acme), 0);
    const retained = cents(DEMO_CHART.find((a) => a.code === "3100")!.qbo.balances.acme);

    const next = readReport(await trialBalance(token, ACME, { start_date: nextYearStart, end_date: addDays(nextYearStart, 40) }));
    expect(next.accounts.get("2")!.cents).toBe(-(retained + netIncome));
    expect(next.accounts.get("55")!.cents).toBe(-10_000);
    expect(next.accounts.has("56")).toBe(false);
    expect(next.total!.debit).toBe(next.total!.credit);

    // Asked from last year's start, the income and expenses still start with the fiscal year of end_date.
    const spanning = readReport(await trialBalance(token, ACME, { start_date: yearStart, end_date: addDays(nextYearStart, 40) }));
    expect(spanning.accounts).toEqual(next.accounts);

    // A later start within the year: the months before it are in Retained Earnings too, and the report balances.
    const fromMid = readReport(await trialBalance(token, ACME, { start_date: addDays(nextYearStart, 20), end_date: addDays(nextYearStart, 40) }));
    expect(fromMid.accounts.has("55")).toBe(false);
    expect(fromMid.accounts.get("2")!.cents).toBe(-(retained + netIncome + 10_000));
    expect(fromMid.total!.debit).toBe(fromMid.total!.credit);

    // Last fiscal year ends with the balances brought forward: no income or expense, and the report still balances.
    const lastYear = readReport(await trialBalance(token, ACME, { start_date: fiscalYearStart(addDays(yearStart, -1), 1), end_date: addDays(yearStart, -1) }));
    expect([...lastYear.accounts.keys()].some((id) => ["55", "65", "80"].includes(id))).toBe(false);
    expect(lastYear.accounts.get("2")!.cents).toBe(-retained);
    expect(lastYear.total!.debit).toBe(lastYear.total!.credit);

    // Before anything was posted: NoReportData, no rows.
    const empty = await trialBalance(token, ACME, { start_date: "2001-01-01", end_date: "2001-12-31" });
    expect(empty.Header.Option).toEqual([{ Name: "NoReportData", Value: "true" }]);
    expect(empty.Rows).toEqual({});
  });

  it("takes date_macro, or this fiscal year to date without any period; refuses bad dates, methods, macros and reports with a ValidationFault", async () => {
    const token = await connect(ACME);
    const today = intuit.emulator.today();
    const plain = await trialBalance(token, ACME, {});
    expect(plain.Header).toMatchObject({ StartPeriod: fiscalYearStart(today, 1), EndPeriod: today, ReportBasis: "Accrual" });
    const macro = await trialBalance(token, ACME, { date_macro: "This Month-to-date" });
    expect(macro.Header).toMatchObject({ StartPeriod: `${today.slice(0, 7)}-01`, EndPeriod: today, DateMacro: "this month-to-date" });
    const lastMonth = await trialBalance(token, ACME, { date_macro: "Last Month" });
    expect(lastMonth.Header.EndPeriod).toBe(addDays(`${today.slice(0, 7)}-01`, -1));
    // Only an end date: from the start of its fiscal year.
    expect((await trialBalance(token, ACME, { end_date: "2025-06-30" })).Header).toMatchObject({ StartPeriod: "2025-01-01", EndPeriod: "2025-06-30" });

    for (const [query, detail] of [
      [{ start_date: "2026-02-30", end_date: "2026-03-31" }, /start_date/],
      [{ start_date: "2026-01-01", end_date: "31/03/2026" }, /end_date/],
      [{ start_date: "2026-04-01", end_date: "2026-03-31" }, /after end_date/],
      [{ accounting_method: "Modified" }, /accounting_method/],
      [{ date_macro: "Whenever" }, /date_macro/],
    ] as const) {
      const response = await get(token, ACME, "reports/TrialBalance", query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      const fault = ((await response.json()) as FaultJson).Fault;
      expect(fault.type).toBe("ValidationFault");
      expect(fault.Error[0]!.Detail).toMatch(detail);
    }
    const other = await get(token, ACME, "reports/GeneralLedger", {});
    expect(other.status).toBe(400);
  });

  it("goes through the gateway: authenticated, metered as one CorePlus report read, throttled and blocked like any read", async () => {
    const token = await connect(ACME);
    expect((await get(null, ACME, "reports/TrialBalance")).status).toBe(401);
    expect((await get(token, GLOBEX, "reports/TrialBalance")).status).toBe(403);
    await trialBalance(token, ACME, {});
    const reads = intuit.emulator.apiRequests().filter((r) => r.path.endsWith("/reports/TrialBalance"));
    expect(reads.map((r) => [r.operation, r.status])).toEqual([
      ["report", 401],
      ["report", 403],
      ["report", 200],
    ]);
    intuit.emulator.setMonthlyQuota(intuit.clientId, 0);
    const blocked = await get(token, ACME, "reports/TrialBalance");
    expect(blocked.status).toBe(429);
    expect(intuit.emulator.monthlyQuotaStats()[intuit.clientId]).toMatchObject({ reads: 1, blocked: 1 });
  });

  it("balances for the 5,000-account company, its generated balances restated against Opening Balance Equity", () => {
    const report = intuit.emulator.trialBalance(LARGE_COMPANY_REALM_ID) as unknown as ReportJson;
    const { accounts, total } = readReport(report);
    expect(total!.debit).toBe(total!.credit);
    expect(accounts.get("10")!.name).toBe("Opening Balance Equity");
    expect(intuit.emulator.account(LARGE_COMPANY_REALM_ID, "20")).toMatchObject({ Name: "Retained Earnings", Classification: "Equity" });
  });
});

describe("POST /__emulator/journal and CDC", () => {
  it("reports a posted entry as a JournalEntry created at its post time, and no Account", async () => {
    const token = await connect(ACME);
    const since = intuit.emulator.now().toISOString();
    intuit.emulator.advanceTime(60);
    const posted = intuit.emulator.postJournalEntry(ACME, { date: addDays(intuit.emulator.today(), -40), memo: "Back-dated", lines: [{ accountId: "71", debit: "12.50" }, { accountId: "41", credit: "12.50" }] });
    const response = await get(token, ACME, "cdc", { entities: "Account,JournalEntry", changedSince: since });
    const body = (await response.json()) as { CDCResponse: { QueryResponse: Record<string, unknown>[] }[] };
    expect(body.CDCResponse[0]!.QueryResponse).toHaveLength(1);
    const reported = body.CDCResponse[0]!.QueryResponse[0]!.JournalEntry as JournalEntryJson[];
    expect(reported.map((e) => [e.Id, e.PrivateNote])).toEqual([[posted.id, "Back-dated"]]);
    expect(intuit.emulator.changes(ACME).map((c) => [c.entity, c.id, c.operation, c.at])).toEqual([["JournalEntry", posted.id, "Create", posted.createdAt]]);
    // The query endpoint serves the same entries.
    const queried = await get(token, ACME, "query", { query: `select * from JournalEntry where Id = '${posted.id}'` });
    expect(((await queried.json()) as { QueryResponse: { JournalEntry: JournalEntryJson[] } }).QueryResponse.JournalEntry).toEqual(reported);
  });

  it("turns a balance set on an account into an adjusting entry; an income account's is its year to date", async () => {
    const token = await connect(ACME);
    intuit.emulator.updateAccount(ACME, "55", { balance: "312000.00" });
    intuit.emulator.updateAccount(ACME, "81", { balance: "38212.18" });
    const entries = intuit.emulator.journalEntries(ACME);
    expect(entries.slice(2).map((e) => [e.kind, e.date, e.lines])).toEqual([
      ["adjustment", intuit.emulator.today(), [{ accountId: "55", amountCents: 48_000 }, { accountId: "1", amountCents: -48_000 }]],
      ["adjustment", intuit.emulator.today(), [{ accountId: "81", amountCents: -70_000 }, { accountId: "1", amountCents: 70_000 }]],
    ]);
    const accounts = await chart(token, ACME);
    expect(accounts.find((a) => a.Id === "55")).not.toHaveProperty("CurrentBalance");
    expect(accounts.find((a) => a.Id === "81")).toMatchObject({ CurrentBalance: 38212.18, SyncToken: "1" });
    // Opening Balance Equity: credited 480.00, debited 700.00.
    expect(accounts.find((a) => a.Id === "1")).toMatchObject({ CurrentBalance: -220, SyncToken: "0" });
    const report = readReport(await trialBalance(token, ACME, {}));
    expect(report.accounts.get("55")!.cents).toBe(-31_200_000);
    // Opening Balance Equity is the other side of every balance set: not one to set itself.
    expect((await fetch(`${intuit.origin}/__emulator/accounts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ realmId: ACME, id: "1", balance: 5 }) })).status).toBe(400);
  });

  it("refuses what QuickBooks would refuse, and reset restores the fixtures' books", async () => {
    const today = intuit.emulator.today();
    for (const [body, status] of [
      [{ realmId: ACME, date: today, lines: [{ accountId: "35", debit: 10 }, { accountId: "84", credit: 9 }] }, 400],
      [{ realmId: ACME, date: today, lines: [{ accountId: "35", debit: 10 }, { accountId: "4040", credit: 10 }] }, 400],
      [{ realmId: ACME, date: today, lines: [{ accountId: "35", debit: 10 }, { accountId: "90", credit: 10 }] }, 400],
      [{ realmId: ACME, date: today, lines: [{ accountId: "35", debit: 10, credit: 10 }, { accountId: "84", credit: 10 }] }, 400],
      [{ realmId: ACME, date: today, lines: [{ accountId: "35", debit: -10 }, { accountId: "84", debit: 10 }] }, 400],
      [{ realmId: ACME, date: today, lines: [{ accountId: "35", debit: "1.005" }, { accountId: "84", credit: "1.005" }] }, 400],
      [{ realmId: ACME, date: "2026-13-01", lines: [{ accountId: "35", debit: 10 }, { accountId: "84", credit: 10 }] }, 400],
      [{ realmId: ACME, date: today, lines: [{ accountId: "35", debit: 10 }] }, 400],
      [{ realmId: ACME, date: today, lines: [{ accountId: "35", debit: 10 }, { accountId: "84", credit: 10 }], colour: "red" }, 400],
      [{ realmId: "1234", date: today, lines: [{ accountId: "35", debit: 10 }, { accountId: "84", credit: 10 }] }, 404],
    ] as const) {
      expect((await postJournal(body)).status, JSON.stringify(body)).toBe(status);
    }
    expect(intuit.emulator.journalEntries(ACME)).toHaveLength(2);
    expect((await postJournal({ realmId: ACME, date: today, lines: [{ accountId: "35", debit: 10 }, { accountId: "84", credit: 10 }] })).status).toBe(201);
    expect(intuit.emulator.journalEntries(ACME)).toHaveLength(3);
    expect((await fetch(`${intuit.origin}/__emulator/reset`, { method: "POST" })).status).toBe(200);
    expect(intuit.emulator.journalEntries(ACME)).toHaveLength(2);
    expect(intuit.emulator.account(ACME, "35")).toMatchObject({ CurrentBalance: 48210.37 });
  });
});

describe("production companies", () => {
  it("are offered to production keys only, and a token opens only its own environment's companies", async () => {
    const sandboxPage = await (await fetch(authorizeUrl(intuit.clientId))).text();
    const productionPage = await (await fetch(authorizeUrl(intuit.productionClientId))).text();
    expect(sandboxPage).toContain(ACME);
    expect(sandboxPage).not.toContain(ACME_PRODUCTION);
    expect(productionPage).toContain(ACME_PRODUCTION);
    expect(productionPage).toContain(DEMO_PRODUCTION_REALMS.globex);
    expect(productionPage).toContain("Acme Field Services");
    expect(productionPage).not.toContain(ACME);
    // A forged form naming the other environment's company gets no code.
    await expect(completeConsent(authorizeUrl(intuit.productionClientId), { realmId: ACME })).rejects.toThrow(/HTTP 400/);
    await expect(completeConsent(authorizeUrl(intuit.clientId), { realmId: ACME_PRODUCTION })).rejects.toThrow(/HTTP 400/);
    // The default company for the production keys is a production one.
    expect((await completeConsent(authorizeUrl(intuit.productionClientId))).searchParams.get("realmId")).toBe(ACME_PRODUCTION);

    const production = await connect(ACME_PRODUCTION, "production");
    const info = await get(production, ACME_PRODUCTION, `companyinfo/${ACME_PRODUCTION}`);
    expect(((await info.json()) as { CompanyInfo: { CompanyName: string } }).CompanyInfo.CompanyName).toBe("Acme Field Services");
    // Production keys are metered on their own client id.
    expect(intuit.emulator.monthlyQuotaStats()[intuit.productionClientId]).toMatchObject({ reads: 1 });
    // Grants bulk-made for a production realm with development keys are refused by the gateway, and the reverse.
    const [sandboxGrant] = intuit.emulator.createGrants([ACME_PRODUCTION]);
    expect((await get(sandboxGrant!.accessToken, ACME_PRODUCTION, "query", { query: "select * from Account" })).status).toBe(403);
  });

  it("hold the same books under other account ids, with the same numbers and names", async () => {
    const sandbox = await chart(await connect(ACME), ACME);
    const production = await chart(await connect(ACME_PRODUCTION, "production"), ACME_PRODUCTION);
    expect(production).toHaveLength(sandbox.length);
    for (const demo of demoQboAccounts()) {
      const inSandbox = sandbox.find((a) => a.Id === demo.id)!;
      const inProduction = production.find((a) => a.Id === demoProductionAccountId(demo.id))!;
      expect(inProduction.Id, demo.name).not.toBe(inSandbox.Id);
      expect(inProduction.FullyQualifiedName).toBe(inSandbox.FullyQualifiedName);
      expect(inProduction.AcctNum).toBe(inSandbox.AcctNum);
      expect(inProduction.CurrentBalance).toBe(inSandbox.CurrentBalance);
    }
    // The ids overlap as a set: a sandbox id used in production names another account.
    const checking = production.find((a) => a.Id === "35")!;
    expect(checking.Name).not.toBe("Checking");
    // The Trial Balance says the same numbers under the production ids.
    const token = await connect(ACME_PRODUCTION, "production");
    const report = readReport(await trialBalance(token, ACME_PRODUCTION, {}));
    for (const demo of DEMO_CHART) expect(report.accounts.get(demoProductionAccountId(demo.qbo.id))?.cents ?? 0, demo.code).toBe(inDebits(demo.type, demo.qbo.balances.acme));
  });
});
