import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { FORMULA_TRIGGERS, LOG_COLUMNS, LOG_NAMES, copyExpression, formatCell, neutraliseFormula, rowExpression, type LogColumn } from "./columns";
import { CsvRecordCounter, csvText } from "./csv-writers";
import { parseCursor, parseLogFilters, pgLiteral, toInlineSql, encodeCursor } from "./log-query";

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

describe("CSV writing (csv-stringify set up as PostgreSQL's COPY … FORMAT csv)", () => {
  it("writes RFC 4180 with a header row, \\n line ends, NULL empty and the empty string quoted", () => {
    const csv = csvText(
      [
        ["plain", "a,b", 'say "hi"', "line1\nline2", "cr\rhere", "ünïcødé ✓", null, ""],
        ["'=1", "x", "y", "z", "w", "v", "u", "t"],
      ],
      ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"],
    );
    expect(csv).toBe(
      'c1,c2,c3,c4,c5,c6,c7,c8\nplain,"a,b","say ""hi""","line1\nline2","cr\rhere",ünïcødé ✓,,""\n\'=1,x,y,z,w,v,u,t\n',
    );
    expect(parse(csv, { columns: true })).toEqual([
      { c1: "plain", c2: "a,b", c3: 'say "hi"', c4: "line1\nline2", c5: "cr\rhere", c6: "ünïcødé ✓", c7: "", c8: "" },
      { c1: "'=1", c2: "x", c3: "y", c4: "z", c5: "w", c6: "v", c7: "u", c8: "t" },
    ]);
  });

  it("writes the header alone when there is no row", () => {
    expect(csvText([], ["a", "b"])).toBe("a,b\n");
  });

  it("counts records (header included) across chunks, ignoring newlines inside quotes", () => {
    const csv = Buffer.from('h1,h2\n"a\n""b""\n",c\nd,"e,\n"\nf,g\n', "utf8");
    for (const size of [1, 2, 3, 5, 7, csv.length]) {
      const counter = new CsvRecordCounter();
      for (let i = 0; i < csv.length; i += size) counter.feed(csv.subarray(i, i + size));
      expect(counter.records, `chunks of ${size}`).toBe(4);
    }
  });
});

describe("filters and SQL literals", () => {
  const params = (q: string) => new URLSearchParams(q);

  it("reads dates as UTC days (to: the whole day) and ISO instants", () => {
    expect(parseLogFilters("callback", params("from=2026-05-01&to=2026-05-01"))).toEqual({
      from: new Date("2026-05-01T00:00:00.000Z"),
      to: new Date("2026-05-02T00:00:00.000Z"),
    });
    expect(parseLogFilters("access", params("from=2026-05-01T10:00:00%2B02:00&outcome=failure&actor=Auditor@Acme.test&q=x"))).toEqual({
      from: new Date("2026-05-01T08:00:00.000Z"),
      outcome: "failure",
      actor: "auditor@acme.test",
      q: "x",
    });
    expect(parseLogFilters("refresh", params("from=&outcome=&q="))).toEqual({});
  });

  it.each([
    ["from=yesterday", "from"],
    ["to=2026-02-30", "to"],
    ["from=2026-05-02&to=2026-05-01", "before"],
    ["outcome=skipped", "outcome"],
    ["outcome=bogus", "outcome"],
    ["q=a%00b", "control"],
    [`q=${"x".repeat(201)}`, "longer"],
    ["outcome=success&outcome=failure", "more than once"],
  ])("refuses %s with a 400", (query, message) => {
    expect(() => parseLogFilters("callback", params(query))).toThrow(expect.objectContaining({ status: 400, code: "invalid_filter", message: expect.stringContaining(message) }));
  });

  it("refuses an actor on logs without one", () => {
    expect(() => parseLogFilters("refresh", params("actor=a@b.c"))).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseLogFilters("webhook", params("actor=a@b.c"))).toThrow(expect.objectContaining({ status: 400 }));
  });

  it("round-trips cursors and refuses forged ones", () => {
    const cursor = { direction: "older" as const, time: "2026-05-01T10:00:00.123456Z", id: "42" };
    expect(parseCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(() => parseCursor("not-a-cursor")).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseCursor(Buffer.from(JSON.stringify(["older", "x'; drop table users;--", "1"])).toString("base64url"))).toThrow();
  });

  it("inlines values as literals PostgreSQL reads back exactly", () => {
    expect(pgLiteral("it's")).toBe("'it''s'");
    expect(pgLiteral("a\\'b")).toBe(" E'a\\\\''b'");
    expect(() => pgLiteral("a\u0000")).toThrow();
    expect(toInlineSql(["x = ", { value: "o'k", cast: "text" }])).toBe("x = 'o''k'::text");
  });
});
