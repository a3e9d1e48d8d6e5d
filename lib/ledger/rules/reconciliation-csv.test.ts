import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { RECONCILIATION_CSV_COLUMNS, reconciliationCsv, type CsvLine } from "./reconciliation-csv";

const line = (over: Partial<CsvLine>): CsvLine => ({
  code: "1000",
  name: "Checking",
  qboAccountId: "35",
  qboAccountName: "Checking",
  awraBalance: "-2500.00",
  qboBalance: null,
  difference: "-2500.00",
  explanation: null,
  explainedAt: null,
  ...over,
});

describe("reconciliationCsv", () => {
  it("writes the header, one row per line and a totals row, with CRLF and RFC 4180 quoting", () => {
    const csv = reconciliationCsv({
      lines: [line({ name: 'Checking, "main"', explanation: "Deposit in transit", explainedAt: new Date("2026-11-30T12:00:00Z") })],
      totals: { awra: "-2500.00", qbo: "0.00", difference: "-2500.00" },
    });
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(csv.split("\r\n")[0]).toBe(RECONCILIATION_CSV_COLUMNS.join(","));
    expect(parse(csv)).toEqual([
      [...RECONCILIATION_CSV_COLUMNS],
      ["1000", 'Checking, "main"', "35", "Checking", "-2500.00", "", "-2500.00", "Deposit in transit", "2026-11-30T12:00:00.000Z"],
      ["TOTAL", "", "", "", "-2500.00", "0.00", "-2500.00", "", ""],
    ]);
  });

  it("neutralises text a spreadsheet would run as a formula, and leaves amounts as numbers", () => {
    const csv = reconciliationCsv({ lines: [line({ code: "=1+1", name: "@SUM(A1)", qboAccountName: "+cmd", explanation: "-2 for rounding" })], totals: { awra: "-2500.00", qbo: "0.00", difference: "-2500.00" } });
    const [, row] = parse(csv) as string[][];
    expect(row).toEqual(["'=1+1", "'@SUM(A1)", "35", "'+cmd", "-2500.00", "", "-2500.00", "'-2 for rounding", ""]);
  });

  it("prints the close's basis after the totals, so an auditor can ask Intuit for the same report", () => {
    const csv = reconciliationCsv({
      lines: [line({})],
      totals: { awra: "-2500.00", qbo: "0.00", difference: "-2500.00" },
      reconciliation: {
        environment: "production",
        realmId: "123146000000101",
        reportStartDate: "2026-01-01",
        reportEndDate: "2026-11-30",
        accountingMethod: "Accrual",
        reportReadAt: new Date("2026-12-07T10:11:07Z"),
        reportIntuitTid: "1-abc-2",
      },
    });
    const rows = parse(csv) as string[][];
    expect(rows[2]![0]).toBe("TOTAL");
    expect(rows.slice(3)).toEqual(
      [
        ["report", "TrialBalance"],
        ["environment", "production"],
        ["realm_id", "123146000000101"],
        ["start_date", "2026-01-01"],
        ["end_date", "2026-11-30"],
        ["accounting_method", "Accrual"],
        ["read_at", "2026-12-07T10:11:07.000Z"],
        ["intuit_tid", "1-abc-2"],
      ].map(([name, value]) => ["BASIS", name, value, "", "", "", "", "", ""]),
    );
  });

  it("prints no basis for a reconciliation made before the report was kept", () => {
    const csv = reconciliationCsv({
      lines: [line({})],
      totals: { awra: "-2500.00", qbo: "0.00", difference: "-2500.00" },
      reconciliation: { environment: "sandbox", realmId: "1", reportStartDate: null, reportEndDate: null, accountingMethod: null, reportReadAt: null, reportIntuitTid: null },
    });
    expect((parse(csv) as string[][]).at(-1)![0]).toBe("TOTAL");
  });
});
