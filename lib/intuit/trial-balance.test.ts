import { describe, expect, it } from "vitest";
import { IntuitApiError } from "./faults";
import { getTrialBalance, parseTrialBalance, type TrialBalanceReport } from "./trial-balance";

// Real-shaped answers of GET /reports/TrialBalance (intuit.md §10): the header, columns with their ColKey metadata,
// rows nesting in sections, amounts as strings with one of debit and credit filled, a GrandTotal section.

const COLUMNS = [
  { ColTitle: "", ColType: "Account", MetaData: [{ Name: "ColKey", Value: "account" }] },
  { ColTitle: "Debit", ColType: "Money", MetaData: [{ Name: "ColKey", Value: "debit" }] },
  { ColTitle: "Credit", ColType: "Money", MetaData: [{ Name: "ColKey", Value: "credit" }] },
];

const HEADER = {
  Time: "2026-12-07T10:11:07-08:00",
  ReportName: "TrialBalance",
  ReportBasis: "Accrual",
  StartPeriod: "2026-04-01",
  EndPeriod: "2026-11-30",
  Currency: "USD",
  Option: [{ Name: "NoReportData", Value: "false" }],
};

/** Sections three deep, a parent account with a sub-account, an account with nothing, a spacer, subtotals, a total. */
const NESTED = {
  Header: HEADER,
  Columns: { Column: COLUMNS },
  Rows: {
    Row: [
      {
        type: "Section",
        group: "Assets",
        Header: { ColData: [{ value: "Assets" }, { value: "" }, { value: "" }] },
        Rows: {
          Row: [
            {
              type: "Section",
              group: "BankAccounts",
              Header: { ColData: [{ value: "Bank Accounts" }, { value: "" }, { value: "" }] },
              Rows: {
                Row: [
                  { type: "Data", ColData: [{ value: "Checking", id: "35" }, { value: "48210.37" }, { value: "" }] },
                  { type: "Data", ColData: [{ value: "Savings", id: "36" }, { value: "25000.00" }, { value: "" }] },
                  { type: "Data", ColData: [{ value: "Petty Cash", id: "37" }, { value: "" }, { value: "" }] },
                ],
              },
              Summary: { ColData: [{ value: "Total Bank Accounts" }, { value: "73210.37" }, { value: "" }] },
            },
            { type: "Data", ColData: [{ value: "Accounts Receivable (A/R)", id: "84" }, { value: "64318.45" }, { value: "" }] },
            {
              type: "Section",
              Header: { ColData: [{ value: "Service Vehicles", id: "38" }, { value: "" }, { value: "" }] },
              Rows: {
                Row: [
                  { type: "Data", ColData: [{ value: "Service Vehicles", id: "38" }, { value: "186500.00" }, { value: "" }] },
                  { type: "Data", ColData: [{ value: "Service Vehicles:Accumulated Depreciation - Vehicles", id: "39" }, { value: "" }, { value: "74600.00" }] },
                ],
              },
              Summary: { ColData: [{ value: "Total Service Vehicles" }, { value: "186500.00" }, { value: "74600.00" }] },
            },
          ],
        },
        Summary: { ColData: [{ value: "Total Assets" }, { value: "324028.82" }, { value: "74600.00" }] },
      },
      { type: "Data", ColData: [{ value: "" }, { value: "" }, { value: "" }] },
      { type: "Data", ColData: [{ value: "Accounts Payable (A/P)", id: "33" }, { value: "" }, { value: "41276.90" }] },
      { type: "Data", ColData: [{ value: "Retained Earnings", id: "2" }, { value: "" }, { value: "52301.33" }] },
      { type: "Data", ColData: [{ value: "Field Service Revenue", id: "55" }, { value: "" }, { value: "200000.00" }] },
      { type: "Data", ColData: [{ value: "Discounts Given", id: "59" }, { value: "4312.50" }, { value: "" }] },
      {
        type: "Section",
        Header: { ColData: [{ value: "Utilities", id: "69" }, { value: "" }, { value: "" }] },
        Rows: {
          Row: [
            { type: "Data", ColData: [{ value: "Utilities", id: "69" }, { value: "6842.19" }, { value: "" }] },
            { type: "Data", ColData: [{ value: "Utilities:Telephone and Internet", id: "70" }, { value: "4380.00" }, { value: "" }] },
          ],
        },
        Summary: { ColData: [{ value: "Total Utilities" }, { value: "11222.19" }, { value: "" }] },
      },
      { type: "Data", ColData: [{ value: "Fuel", id: "71" }, { value: "28614.72" }, { value: "" }] },
      { type: "Section", group: "GrandTotal", Summary: { ColData: [{ value: "TOTAL" }, { value: "368178.23" }, { value: "368178.23" }] } },
    ],
  },
};

function read(json: unknown): TrialBalanceReport {
  const parsed = parseTrialBalance(json);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.report;
}

const balances = (report: TrialBalanceReport) => report.accounts.map((a) => [a.accountId, a.debitCents, a.creditCents]);

/** A flat report with these columns and rows of cells in the same order, and a total when given. */
function flat(columns: readonly object[], rows: readonly (readonly object[])[], total?: readonly object[]) {
  const row = rows.map((ColData) => ({ type: "Data", ColData }));
  const grandTotal = total ? [{ type: "Section", group: "GrandTotal", Summary: { ColData: total } }] : [];
  return { Header: HEADER, Columns: { Column: columns }, Rows: { Row: [...row, ...grandTotal] } };
}

describe("reading a Trial Balance report", () => {
  it("reads the header as the basis of the balances", () => {
    expect(read(NESTED).header).toEqual({
      reportName: "TrialBalance",
      startPeriod: "2026-04-01",
      endPeriod: "2026-11-30",
      basis: "Accrual",
      currency: "USD",
      time: "2026-12-07T10:11:07-08:00",
    });
  });

  it("reads every data row of nested sections as an account, in cents; headers, subtotals and the total never", () => {
    const report = read(NESTED);
    expect(report.problems).toEqual([]);
    expect(balances(report)).toEqual([
      ["35", 4821037, 0],
      ["36", 2500000, 0],
      // An account with nothing ("" and ""): zero, and still listed.
      ["37", 0, 0],
      ["84", 6431845, 0],
      // The parent's section header names it too: one account, from its own data row.
      ["38", 18650000, 0],
      // A sub-account: a row of its own, its own id, its own balance.
      ["39", 0, 7460000],
      ["33", 0, 4127690],
      ["2", 0, 5230133],
      ["55", 0, 20000000],
      ["59", 431250, 0],
      ["69", 684219, 0],
      ["70", 438000, 0],
      ["71", 2861472, 0],
    ]);
    expect(report.accounts.find((a) => a.accountId === "39")?.name).toBe("Service Vehicles:Accumulated Depreciation - Vehicles");
    const names = report.accounts.map((a) => a.name);
    for (const notAnAccount of ["Assets", "Bank Accounts", "Total Bank Accounts", "Total Assets", "TOTAL", ""]) expect(names).not.toContain(notAnAccount);
  });

  it("reads columns by their key, ignoring a currency column and foreign amounts", () => {
    const columns = [
      COLUMNS[0]!,
      { ColTitle: "Currency", ColType: "String", MetaData: [{ Name: "ColKey", Value: "currency" }] },
      { ColTitle: "Foreign Debit", ColType: "Money", MetaData: [{ Name: "ColKey", Value: "foreign_debit" }] },
      COLUMNS[1]!,
      { ColTitle: "Foreign Credit", ColType: "Money", MetaData: [{ Name: "ColKey", Value: "foreign_credit" }] },
      COLUMNS[2]!,
    ];
    const report = read(
      flat(
        columns,
        [
          [{ value: "Checking", id: "35" }, { value: "USD" }, { value: "" }, { value: "48210.37" }, { value: "" }, { value: "" }],
          [{ value: "Checking EUR", id: "120" }, { value: "EUR" }, { value: "900.00" }, { value: "1012.50" }, { value: "" }, { value: "" }],
          [{ value: "Accounts Payable (A/P)", id: "33" }, { value: "USD" }, { value: "" }, { value: "" }, { value: "" }, { value: "49222.87" }],
        ],
        [{ value: "TOTAL" }, { value: "" }, { value: "" }, { value: "49222.87" }, { value: "" }, { value: "49222.87" }],
      ),
    );
    expect(report.problems).toEqual([]);
    expect(balances(report)).toEqual([
      ["35", 4821037, 0],
      ["120", 101250, 0],
      ["33", 0, 4922287],
    ]);
  });

  it("reads the cells where the columns say, whatever their order", () => {
    const [account, debit, credit] = COLUMNS;
    const report = read(
      flat(
        [credit!, account!, debit!],
        [
          [{ value: "" }, { value: "Checking", id: "35" }, { value: "100.00" }],
          [{ value: "100.00" }, { value: "Retained Earnings", id: "2" }, { value: "" }],
        ],
        [{ value: "100.00" }, { value: "TOTAL" }, { value: "100.00" }],
      ),
    );
    expect(report.problems).toEqual([]);
    expect(report.accounts).toEqual([
      { accountId: "35", name: "Checking", debitCents: 10000, creditCents: 0 },
      { accountId: "2", name: "Retained Earnings", debitCents: 0, creditCents: 10000 },
    ]);
  });

  it("takes the column's key over its title", () => {
    const columns = [COLUMNS[0]!, { ColTitle: "Debit", ColType: "Money", MetaData: [{ Name: "ColKey", Value: "foreign_debit" }] }, COLUMNS[1]!, COLUMNS[2]!];
    const report = read(flat(columns, [[{ value: "Checking EUR", id: "120" }, { value: "900.00" }, { value: "1012.50" }, { value: "" }]]));
    expect(balances(report)).toEqual([["120", 101250, 0]]);
  });

  it("recognises columns without metadata by type and title, and data rows without a type (a published answer)", () => {
    const json = {
      Header: { ...HEADER, DateMacro: "this month-to-date" },
      Rows: {
        Row: [
          { ColData: [{ id: "35", value: "Checking" }, { value: "4151.74" }, { value: "" }, { value: "" }] },
          { ColData: [{ id: "13", value: "Meals and Entertainment" }, { value: "" }, { value: "46.00" }, { value: "" }] },
          { ColData: [{ id: "93", value: "QuickBooks Payments Fees" }, { value: "0.44" }, { value: "" }, { value: "0.40" }] },
          { ColData: [{ id: "2", value: "Retained Earnings" }, { value: "" }, { value: "4106.18" }, { value: "" }] },
          { group: "GrandTotal", type: "Section", Summary: { ColData: [{ value: "TOTAL" }, { value: "4152.18" }, { value: "4152.18" }, { value: "" }] } },
        ],
      },
      Columns: {
        Column: [
          { ColType: "Account", ColTitle: "" },
          { ColType: "Money", ColTitle: "Debit" },
          { ColType: "Money", ColTitle: "Credit" },
          { ColType: "Money", ColTitle: "Foreign Debit" },
        ],
      },
    };
    const report = read(json);
    expect(report.problems).toEqual([]);
    expect(balances(report)).toEqual([
      ["35", 415174, 0],
      ["13", 0, 4600],
      ["93", 44, 0],
      ["2", 0, 410618],
    ]);
  });

  it("answers no accounts for a report with no data, whatever else it holds", () => {
    const empty = { Header: { ...HEADER, Option: [{ Name: "NoReportData", Value: "true" }] }, Columns: { Column: COLUMNS }, Rows: {} };
    expect(read(empty)).toEqual({ header: read(NESTED).header, accounts: [], problems: [] });
    // The flag is the answer: no columns needed, and stray rows are not accounts.
    expect(read({ Header: empty.Header }).accounts).toEqual([]);
    expect(read({ ...NESTED, Header: empty.Header }).accounts).toEqual([]);
    // No rows at all, without the flag: nothing to read either.
    expect(read({ Header: HEADER, Columns: { Column: COLUMNS }, Rows: { Row: [] } })).toMatchObject({ accounts: [], problems: [] });
  });

  it("reports a data row without an account id instead of dropping it, and reads the rest", () => {
    const report = read(
      flat(
        COLUMNS,
        [
          [{ value: "Checking", id: "35" }, { value: "100.00" }, { value: "" }],
          [{ value: "Suspense" }, { value: "25.00" }, { value: "" }],
          [{ value: "Retained Earnings", id: "2" }, { value: "" }, { value: "125.00" }],
        ],
        [{ value: "TOTAL" }, { value: "125.00" }, { value: "125.00" }],
      ),
    );
    expect(balances(report)).toEqual([
      ["35", 10000, 0],
      ["2", 0, 12500],
    ]);
    expect(report.problems).toEqual([
      { row: "Rows.Row[1]", name: "Suspense", message: "a data row without an account id: its amounts were not read" },
      // And the total no longer adds up, which says the same from the other side.
      { row: "Rows.Row[3].Summary", name: null, message: "the accounts read add up to 100.00 in debit, the report's total says 125.00" },
    ]);
  });

  it("reports rows it cannot read, nested ones by their path", () => {
    const section = (rows: unknown[]) => ({ type: "Section", Header: { ColData: [{ value: "Group" }] }, Rows: { Row: rows } });
    const report = read({
      Header: HEADER,
      Columns: { Column: COLUMNS },
      Rows: {
        Row: [
          section([
            { type: "Data", ColData: [{ value: "Checking", id: "35" }, { value: "1,234.00" }, { value: "" }] },
            section([{ type: "Data", ColData: [{ value: "Savings", id: "36" }, { value: "12.345" }, { value: "" }] }]),
            { type: "Data", ColData: [{ value: "Petty Cash", id: "37" }, { value: "5.00" }] },
            "not a row",
            { type: "Data", ColData: "Checking" },
            { type: "Graph", ColData: [{ value: "Chart" }] },
          ]),
          { type: "Data", ColData: [{ value: "Fuel", id: "71" }, { value: "10.00" }, { value: "" }] },
          { type: "Data", ColData: [{ value: "Fuel (again)", id: "71" }, { value: "10.00" }, { value: "" }] },
          // Empty sections and an empty row carry nothing.
          { type: "Section", Rows: {} },
          {},
        ],
      },
    });
    expect(balances(report)).toEqual([["71", 1000, 0]]);
    expect(report.problems).toEqual([
      { row: "Rows.Row[0].Rows.Row[0]", name: "Checking", message: 'account 35 has a debit amount that is not a sum of money: "1,234.00"' },
      { row: "Rows.Row[0].Rows.Row[1].Rows.Row[0]", name: "Savings", message: 'account 36 has a debit amount that is not a sum of money: "12.345"' },
      { row: "Rows.Row[0].Rows.Row[2]", name: "Petty Cash", message: "account 37 has no credit cell" },
      { row: "Rows.Row[0].Rows.Row[3]", name: null, message: "a row that is not a report row was not read" },
      { row: "Rows.Row[0].Rows.Row[4]", name: null, message: "a row that is not a report row was not read" },
      { row: "Rows.Row[0].Rows.Row[5]", name: null, message: 'a row of type "Graph" was not read' },
      { row: "Rows.Row[2]", name: "Fuel (again)", message: "account 71 appears more than once: only its first row was read" },
    ]);
  });

  it("reads amounts as exact cents", () => {
    const amounts = ["0.29", "0.07", "12.5", "-150.00", "-0.00", "4151.74", "1234567890123.45", "9999999999999.99"];
    const report = read(flat(COLUMNS, amounts.map((value, i) => [{ value: `Account ${i}`, id: String(i + 1) }, { value }, { value: "" }])));
    expect(report.problems).toEqual([]);
    expect(report.accounts.map((a) => a.debitCents)).toEqual([29, 7, 1250, -15000, 0, 415174, 123456789012345, 999999999999999]);
    expect(Object.is(report.accounts[4]!.debitCents, 0)).toBe(true);
    // Past 13 digits a float would no longer be exact: refused, not rounded.
    const huge = read(flat(COLUMNS, [[{ value: "Huge", id: "1" }, { value: "10000000000000.00" }, { value: "" }]]));
    expect(huge.accounts).toEqual([]);
    expect(huge.problems).toHaveLength(1);
  });

  it("refuses an answer it cannot read at all, saying why", () => {
    const refusal = (json: unknown) => {
      const parsed = parseTrialBalance(json);
      return parsed.ok ? "read" : parsed.message;
    };
    expect(refusal({ ...NESTED, Columns: { Column: [COLUMNS[0], COLUMNS[1]] } })).toBe("Columns: the report has no column for credit");
    expect(refusal({ ...NESTED, Columns: { Column: [COLUMNS[0], COLUMNS[2], COLUMNS[1], COLUMNS[1]] } })).toBe("Columns: the report has more than one debit column");
    expect(refusal({ ...NESTED, Columns: undefined })).toBe("Columns: the report has no column for account, debit, credit");
    expect(refusal({ ...NESTED, Header: { ...HEADER, ReportName: "BalanceSheet" } })).toMatch(/^Header\.ReportName: /);
    expect(refusal({ ...NESTED, Header: { ...HEADER, ReportBasis: "Modified" } })).toMatch(/^Header\.ReportBasis: /);
    expect(refusal({ ...NESTED, Header: { ...HEADER, EndPeriod: undefined } })).toMatch(/^Header\.EndPeriod: /);
    expect(refusal({ ...NESTED, Rows: { Row: "rows" } })).toMatch(/^Rows\.Row: /);
    expect(refusal("TrialBalance")).not.toBe("read");
  });
});

describe("getTrialBalance", () => {
  const BASE = { apiBaseUrl: "https://quickbooks.api.intuit.com", realmId: "9341452000000001", accessToken: "access-token" };

  function answering(body: unknown, status = 200) {
    const requests: Request[] = [];
    const fetch: typeof globalThis.fetch = async (url, init) => {
      requests.push(new Request(String(url), init));
      return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", intuit_tid: "tid-tb-1" } });
    };
    return { fetch, requests };
  }

  it("asks for the range and the accounting method, and answers the report and intuit_tid", async () => {
    const { fetch, requests } = answering(NESTED);
    const result = await getTrialBalance({ ...BASE, fetch, startDate: "2026-04-01", endDate: "2026-11-30", accountingMethod: "Accrual" });
    expect(requests).toHaveLength(1);
    const url = new URL(requests[0]!.url);
    expect(requests[0]!.method).toBe("GET");
    expect(url.origin + url.pathname).toBe("https://quickbooks.api.intuit.com/v3/company/9341452000000001/reports/TrialBalance");
    expect(Object.fromEntries(url.searchParams)).toEqual({ start_date: "2026-04-01", end_date: "2026-11-30", accounting_method: "Accrual", minorversion: "75" });
    expect(requests[0]!.headers.get("authorization")).toBe("Bearer access-token");
    expect(result.intuitTid).toBe("tid-tb-1");
    expect(result.report).toEqual(read(NESTED));
  });

  it("leaves start_date out when not given", async () => {
    const { fetch, requests } = answering(NESTED);
    await getTrialBalance({ ...BASE, fetch, endDate: "2026-11-30", accountingMethod: "Cash" });
    expect(Object.fromEntries(new URL(requests[0]!.url).searchParams)).toEqual({ end_date: "2026-11-30", accounting_method: "Cash", minorversion: "75" });
  });

  it("throws IntuitApiError for an answer that is not a readable Trial Balance", async () => {
    const { fetch } = answering({ ...NESTED, Columns: { Column: [] } });
    const error = await getTrialBalance({ ...BASE, fetch, endDate: "2026-11-30", accountingMethod: "Accrual" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntuitApiError);
    expect(error).toMatchObject({ kind: "unexpected", intuitTid: "tid-tb-1" });
  });
});
