import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { SYNC_RUN_CSV_COLUMNS, syncRunsCsv } from "./sync-runs-csv";

type Run = Parameters<typeof syncRunsCsv>[0][number];

const run = (over: Partial<Run>): Run => ({
  id: 7,
  tenantId: "00000000-0000-4000-8000-000000000001",
  environment: "sandbox",
  realmId: "9341452000000001",
  mode: "full",
  status: "succeeded",
  total: 64,
  processed: 64,
  updated: 3,
  errors: 0,
  cursor: 64,
  changedSince: null,
  mappingFingerprint: "f",
  errorMessage: null,
  requestedByUserId: null,
  createdAt: new Date("2026-11-30T09:00:00.000Z"),
  startedAt: new Date("2026-11-30T09:00:01.250Z"),
  heartbeatAt: null,
  claimToken: null,
  finishedAt: new Date("2026-11-30T09:00:04.000Z"),
  ...over,
});

describe("syncRunsCsv", () => {
  it("writes the header and one row per run, with ISO 8601 UTC times, empty cells for what is not known, and CRLF", () => {
    const csv = syncRunsCsv([run({}), run({ id: 8, status: "queued", total: null, processed: 0, updated: 0, startedAt: null, finishedAt: null })]);
    expect(csv.split("\r\n")[0]).toBe(SYNC_RUN_CSV_COLUMNS.join(","));
    expect(parse(csv)).toEqual([
      [...SYNC_RUN_CSV_COLUMNS],
      ["7", "sandbox", "9341452000000001", "full", "succeeded", "64", "64", "3", "0", "2026-11-30T09:00:00.000Z", "2026-11-30T09:00:01.250Z", "2026-11-30T09:00:04.000Z", ""],
      ["8", "sandbox", "9341452000000001", "full", "queued", "", "0", "0", "0", "2026-11-30T09:00:00.000Z", "", "", ""],
    ]);
  });

  it("neutralises an error message a spreadsheet would run as a formula, and quotes one with commas", () => {
    const [, formula, commas] = parse(syncRunsCsv([run({ status: "failed", errorMessage: "=HYPERLINK(\"http://x\")" }), run({ status: "failed", errorMessage: "Throttled, try again" })])) as string[][];
    expect(formula!.at(-1)).toBe("'=HYPERLINK(\"http://x\")");
    expect(commas!.at(-1)).toBe("Throttled, try again");
  });
});
