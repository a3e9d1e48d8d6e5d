import { describe, expect, it } from "vitest";
import { crossedThresholds, thresholdReads } from "./alert-thresholds";

const monthStart = new Date("2026-12-01T00:00:00Z");
const standing = (used: number, projectedMonthEnd: number, now = new Date("2026-12-11T00:00:00Z")) => ({ used, projectedMonthEnd, quota: 500_000, monthStart, now });

describe("crossedThresholds", () => {
  it("is nothing below half the quota, reached or projected", () => {
    expect(crossedThresholds(standing(100_000, 249_999))).toEqual([]);
  });

  it("counts a threshold reached as actual, and one only on course as projected", () => {
    expect(crossedThresholds(standing(400_000, 480_000))).toEqual([
      { threshold: 50, basis: "actual" },
      { threshold: 80, basis: "actual" },
      { threshold: 95, basis: "projected" },
    ]);
  });

  it("reaches 100 % at exactly the quota", () => {
    expect(crossedThresholds(standing(500_000, 500_000)).map((c) => `${c.threshold}:${c.basis}`)).toEqual(["50:actual", "80:actual", "95:actual", "100:actual"]);
    expect(crossedThresholds(standing(499_999, 499_999)).at(-1)).toEqual({ threshold: 95, basis: "actual" });
  });

  it("does not trust a projection from the month's first day, but does count what is reached", () => {
    const early = new Date("2026-12-01T20:00:00Z");
    expect(crossedThresholds(standing(10_000, 900_000, early))).toEqual([]);
    expect(crossedThresholds(standing(260_000, 900_000, early))).toEqual([{ threshold: 50, basis: "actual" }]);
    expect(crossedThresholds(standing(10_000, 900_000, new Date("2026-12-02T00:00:00Z")))).toHaveLength(4);
  });

  it("raises nothing for an app with no quota", () => {
    expect(crossedThresholds({ ...standing(10, 10), quota: 0 })).toEqual([]);
  });
});

describe("thresholdReads", () => {
  it("is the threshold's share of the quota, rounded up", () => {
    expect(thresholdReads(95, 1_000_000)).toBe(950_000);
    expect(thresholdReads(50, 1_001)).toBe(501);
  });
});
