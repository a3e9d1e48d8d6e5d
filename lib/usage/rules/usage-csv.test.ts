import { describe, expect, it } from "vitest";
import { usageCsv, USAGE_CSV_COLUMNS } from "./usage-csv";

const row = { day: "2026-12-01", appKey: "platform", environment: "production", operation: "cdc", category: "coreplus", cause: "catch_up", calls: 1200 };

describe("usageCsv", () => {
  it("writes the header from the column list and one CRLF line per row, metered only for production reads", () => {
    const csv = usageCsv([row, { ...row, environment: "sandbox" }, { ...row, category: "core", operation: "create" }]);
    expect(csv.split("\r\n")).toEqual([
      USAGE_CSV_COLUMNS.join(","),
      "2026-12-01,platform,production,cdc,coreplus,catch_up,yes,1200",
      "2026-12-01,platform,sandbox,cdc,coreplus,catch_up,no,1200",
      "2026-12-01,platform,production,create,core,catch_up,no,1200",
      "",
    ]);
  });

  it.each(["=", "+", "-", "@", "\t", "\r"])("neutralises a text cell starting with %j", (first) => {
    const csv = usageCsv([{ ...row, operation: `${first}HYPERLINK("x")` }]);
    const cell = csv.split("\r\n")[1]!;
    expect(cell).toContain(`'${first}HYPERLINK`);
  });
});
