import { describe, expect, it } from "vitest";
import { FORMULA_TRIGGERS, LOG_COLUMNS, LOG_NAMES, copyExpression, formatCell, neutraliseFormula, rowExpression, type LogColumn } from "./columns";

const text: LogColumn = { name: "message", label: "Message", sql: "c.message", type: "text" };
const integer: LogColumn = { name: "latency_ms", label: "Latency", sql: "c.latency_ms", type: "integer" };
const time: LogColumn = { name: "time", label: "Time", sql: "c.created_at", type: "timestamp" };

describe("formula neutralisation", () => {
  it.each([
    ["=", "=HYPERLINK(\"http://evil\")"],
    ["+", "+1+2"],
    ["-", "-2+3"],
    ["@", "@SUM(A1)"],
    ["tab", "\t=1"],
    ["carriage return", "\r=1"],
  ])("prefixes a cell starting with %s with a quote", (_name, value) => {
    expect(neutraliseFormula(value)).toBe(`'${value}`);
    expect(formatCell(text, value)).toBe(`'${value}`);
  });

  it("covers exactly the six dangerous first characters", () => {
    expect([...FORMULA_TRIGGERS]).toEqual(["=", "+", "-", "@", "\t", "\r"]);
  });

  it.each(["", "a=b", "'=1", " =1", "\n=1", "ünïcødé", "1-2"])("leaves %j alone", (value) => {
    expect(neutraliseFormula(value)).toBe(value);
  });

  it("neutralises numbers too (a negative number starts with -), never times", () => {
    expect(formatCell(integer, -5)).toBe("'-5");
    expect(formatCell(integer, 12)).toBe("12");
    expect(formatCell(integer, "9007199254740993")).toBe("9007199254740993");
    expect(formatCell(time, "1767323045123")).toBe("2026-01-02T03:04:05.123Z");
    expect(formatCell(text, null)).toBeNull();
  });

  it("does the same in SQL for every text and integer column, and formats times as ISO 8601 UTC", () => {
    for (const log of LOG_NAMES) {
      for (const column of LOG_COLUMNS[log]) {
        const copy = copyExpression(column);
        if (column.type === "timestamp") {
          expect(copy).toContain(`at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);
          expect(rowExpression(column)).toContain("floor(extract(epoch from");
        } else {
          expect(copy).toContain(`in ('=', '+', '-', '@', E'\\t', E'\\r') then '''' ||`);
        }
      }
    }
  });

  it("has unique lower snake case column names in every log", () => {
    for (const log of LOG_NAMES) {
      const names = LOG_COLUMNS[log].map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });
});
