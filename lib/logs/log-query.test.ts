import { describe, expect, it } from "vitest";
import { encodeCursor, parseCursor, parseLogFilters, pgLiteral, toInlineSql } from "./log-query";

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
