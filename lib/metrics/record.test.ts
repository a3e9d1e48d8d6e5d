import { describe, expect, it } from "vitest";
import { hourOf, incrementOf, mergeIncrements } from "./record";

const AT = new Date("2026-05-04T10:17:23.456Z");
const HOUR = new Date("2026-05-04T10:00:00.000Z");

describe("pure helpers", () => {
  it("truncates to the UTC hour", () => {
    expect(hourOf(AT).toISOString()).toBe(HOUR.toISOString());
    expect(hourOf(new Date("2026-05-04T10:00:00.000Z")).toISOString()).toBe(HOUR.toISOString());
  });

  it("merges increments of the same key, so one upsert never touches a row twice", () => {
    const a = incrementOf("t", "api_call", "success", [3, 40], AT);
    const b = incrementOf("t", "api_call", "success", [700], new Date(AT.getTime() + 60_000));
    const other = incrementOf("t", "api_call", "server", [9], AT);
    const merged = mergeIncrements([a, b, other, incrementOf("t", "webhook_delay", "received", [], AT)]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toMatchObject({ count: 3, sum: 743 });
    expect(merged[0]!.histogram.reduce((s, n) => s + n, 0)).toBe(3);
    // The inputs are left alone.
    expect(a.count).toBe(2);
  });
});
