import { describe, expect, it } from "vitest";
import { projectMonth, quotaMonthOf, usageDayOf } from "./quota-month";

describe("quotaMonthOf", () => {
  it("is the calendar month by default", () => {
    expect(quotaMonthOf(new Date("2026-12-07T15:00:00Z"))).toEqual({ start: new Date("2026-12-01T00:00:00Z"), end: new Date("2027-01-01T00:00:00Z") });
  });
  it("starts on the plan's day, before which it is still the previous month", () => {
    expect(quotaMonthOf(new Date("2026-12-07T15:00:00Z"), 10)).toEqual({ start: new Date("2026-11-10T00:00:00Z"), end: new Date("2026-12-10T00:00:00Z") });
    expect(quotaMonthOf(new Date("2026-01-03T00:00:00Z"), 5)).toEqual({ start: new Date("2025-12-05T00:00:00Z"), end: new Date("2026-01-05T00:00:00Z") });
  });
  it("keeps the start day between 1 and 28", () => {
    expect(quotaMonthOf(new Date("2026-03-15T00:00:00Z"), 31).start).toEqual(new Date("2026-02-28T00:00:00Z"));
  });
});

describe("projectMonth", () => {
  const month = quotaMonthOf(new Date("2026-12-11T00:00:00Z"));

  it("adds the rest of the month at the last week's rate, and says when the quota runs out", () => {
    const projection = projectMonth({ month, now: new Date("2026-12-11T00:00:00Z"), used: 200_000, recentReads: 140_000, recentDays: 7, quota: 500_000 });
    expect(projection.dailyRate).toBe(20_000);
    expect(projection.monthEnd).toBe(200_000 + 20_000 * 21);
    expect(projection.quotaRunsOutAt).toEqual(new Date("2026-12-26T00:00:00Z"));
  });

  it("says nothing runs out when the month ends first", () => {
    expect(projectMonth({ month, now: new Date("2026-12-11T00:00:00Z"), used: 1_000, recentReads: 700, recentDays: 7, quota: 500_000 }).quotaRunsOutAt).toBeNull();
  });

  it("uses the month so far when it is younger than the window", () => {
    const projection = projectMonth({ month, now: new Date("2026-12-03T00:00:00Z"), used: 2_000, recentReads: 2_000, recentDays: 7, quota: 500_000 });
    expect(projection.dailyRate).toBe(1_000);
  });

  it("runs out now when the quota is already used", () => {
    const now = new Date("2026-12-20T00:00:00Z");
    expect(projectMonth({ month, now, used: 500_000, recentReads: 0, recentDays: 7, quota: 500_000 }).quotaRunsOutAt).toEqual(now);
  });
});

describe("usageDayOf", () => {
  it("is the UTC day", () => {
    expect(usageDayOf(new Date("2026-12-07T23:59:59.999Z"))).toBe("2026-12-07");
  });
});
