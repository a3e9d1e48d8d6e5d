// The ledger's parsers: what a CSV upload or a JSON load may hold, and every problem reported with its line and field.
import { describe, expect, it } from "vitest";
import { LEDGER_IMPORT_MAX_ROWS, parseLedgerCsv, parseLedgerJson } from "./parse-ledger";

const HEADER = "code,name,type,balance,as_of";

describe("parseLedgerCsv", () => {
  it("reads RFC 4180 quoting, a byte-order mark, CRLF, blank lines and columns in any order", () => {
    const csv = [
      "\uFEFFCode,Name,Type,Balance,AS_OF",
      '1000,"Checking, main account",asset,1250.5,2026-11-30',
      "",
      '2000,"Supplier ""A"" payable",Liability,-80,2026-11-30',
      '3000,"Two',
      'lines",equity,0.00,2026-11-30',
    ].join("\r\n");
    expect(parseLedgerCsv(csv)).toEqual({
      ok: true,
      rows: [
        { code: "1000", name: "Checking, main account", type: "asset", balance: "1250.50", asOf: "2026-11-30" },
        { code: "2000", name: 'Supplier "A" payable', type: "liability", balance: "-80.00", asOf: "2026-11-30" },
        { code: "3000", name: "Two\r\nlines", type: "equity", balance: "0.00", asOf: "2026-11-30" },
      ],
    });
    expect(parseLedgerCsv("balance,as_of,type,name,code\n12,2026-01-31,income,Sales,4000\n")).toEqual({
      ok: true,
      rows: [{ code: "4000", name: "Sales", type: "income", balance: "12.00", asOf: "2026-01-31" }],
    });
  });

  it("reports every problem with its line and field, the header being line 1", () => {
    const csv = [
      HEADER,
      "1000,Checking,asset,100.00,2026-11-30",
      ",No code,asset,1,2026-11-30",
      "1010,Savings,cash,1.234,2026-02-30",
      "",
      `${"9".repeat(33)},${"N".repeat(201)},asset,1,2026-11-30`,
      "1000,Checking again,asset,5,2026-11-30",
      '1020,"Multi',
      'line",asset,1,30/11/2026',
      "1030,Too few",
      "1040,Fine,expense,(12.00),2026-11-30",
    ].join("\n");
    const result = parseLedgerCsv(csv);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      { line: 3, field: "code", message: "code is required" },
      { line: 4, field: "type", message: "type must be one of asset, liability, equity, income, expense" },
      { line: 4, field: "balance", message: 'balance must be a decimal with at most two decimal places, like "1250.50" or "-80"' },
      { line: 4, field: "as_of", message: "as_of must be a date written YYYY-MM-DD" },
      { line: 6, field: "code", message: "code must be at most 32 characters" },
      { line: 6, field: "name", message: "name must be at most 200 characters" },
      { line: 7, field: "code", message: "code 1000 is already on line 2" },
      { line: 8, field: "as_of", message: "as_of must be a date written YYYY-MM-DD" },
      { line: 10, field: "", message: "Expected 5 fields, found 2" },
      { line: 11, field: "balance", message: 'balance must be a decimal with at most two decimal places, like "1250.50" or "-80"' },
    ]);
  });

  it("refuses a bad header, an empty file, broken quoting and more than 10,000 rows", () => {
    expect(parseLedgerCsv("code,name,kind,balance,as_of,extra\n1,a,asset,1,2026-01-01")).toEqual({
      ok: false,
      issues: [{ line: 1, field: "", message: 'The header must name the columns code,name,type,balance,as_of (missing type; unknown "kind", "extra")' }],
    });
    expect(parseLedgerCsv("")).toMatchObject({ ok: false, issues: [{ line: 1 }] });
    expect(parseLedgerCsv(`${HEADER}\n`)).toMatchObject({ ok: false, issues: [{ line: 1, message: "The file has a header but no accounts" }] });
    expect(parseLedgerCsv(`${HEADER}\n1000,Checking,asset,1,2026-01-01\n1010,"Savings,asset,1,2026-01-01\n`)).toMatchObject({ ok: false, issues: [{ field: "", message: expect.stringContaining("Not valid CSV: Quote Not Closed") }] });
    const big = [HEADER, ...Array.from({ length: LEDGER_IMPORT_MAX_ROWS + 1 }, (_, i) => `${i},Account ${i},asset,1,2026-01-01`)].join("\n");
    expect(parseLedgerCsv(big)).toMatchObject({ ok: false, issues: [{ line: 0, message: expect.stringContaining("10,001 accounts; at most 10,000") }] });
  });
});

describe("parseLedgerJson", () => {
  it("takes an array of the same fields, numbers included, and numbers its items from 1", () => {
    expect(parseLedgerJson([{ code: 1000, name: "Checking", type: "asset", balance: 12.5, as_of: "2026-11-30" }])).toEqual({
      ok: true,
      rows: [{ code: "1000", name: "Checking", type: "asset", balance: "12.50", asOf: "2026-11-30" }],
    });
    expect(parseLedgerJson([{ code: "1", name: "A", type: "asset", balance: "1", as_of: "2026-11-30" }, { code: "2", name: "B", type: "asset", balance: 1.005, colour: "red" }, "x"])).toEqual({
      ok: false,
      issues: [
        { line: 2, field: "", message: 'Unknown field "colour"' },
        { line: 2, field: "balance", message: 'balance must be a decimal with at most two decimal places, like "1250.50" or "-80"' },
        { line: 2, field: "as_of", message: "as_of is required" },
        { line: 3, field: "", message: "Each account must be an object" },
      ],
    });
    expect(parseLedgerJson({ accounts: [] })).toMatchObject({ ok: false, issues: [{ line: 0 }] });
  });
});
