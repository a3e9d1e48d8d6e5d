import { describe, expect, it } from "vitest";
import { decideGovernor, factorOf, governorWarning, GOVERNOR_DWELL_MS, MAX_LEVEL, stretchedIntervals, type GovernorInput, type GovernorState } from "./governor";
import { quotaMonthOf } from "./quota-month";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const month = quotaMonthOf(new Date("2026-12-01T00:00:00Z"));
const day = (n: number) => new Date(month.start.getTime() + n * DAY);

/** Builder tier: 500,000 a month, 20 % background: 100,000. */
function input(over: Partial<GovernorInput> & { state?: Partial<GovernorState> }): GovernorInput {
  return {
    now: day(10),
    month,
    quota: 500_000,
    budget: 100_000,
    backgroundUsed: 0,
    backgroundDailyRate: 0,
    foregroundProjected: 0,
    ...over,
    state: { level: 0, changedAt: null, usedAtChange: null, ...over.state },
  };
}

describe("the background-read governor", () => {
  it("leaves background reads alone while their month-end projection fits the budget", () => {
    // 10 days at 3,000 a day: 30,000 so far, 93,000 at month end (31 days), under 100,000.
    expect(decideGovernor(input({ backgroundUsed: 30_000, backgroundDailyRate: 3_000 }))).toMatchObject({ level: 0, factor: 1, move: "steady", room: 100_000, projected: 93_000 });
  });

  it("stretches the intervals one step at a time while the projection passes the budget, a day apart at least", () => {
    // 10,000 a day: 100,000 after 10 days, 310,000 projected.
    let decision = decideGovernor(input({ backgroundUsed: 100_000 * 0.4, backgroundDailyRate: 10_000, now: day(4) }));
    expect(decision).toMatchObject({ level: 1, factor: 2, move: "stretch", changedAt: day(4), usedAtChange: 40_000 });
    // Within the dwell: held, whatever the projection says.
    const held = decideGovernor(input({ now: new Date(day(4).getTime() + GOVERNOR_DWELL_MS - HOUR), backgroundUsed: 49_000, backgroundDailyRate: 10_000, state: decision }));
    expect(held).toMatchObject({ level: 1, move: "dwell", changedAt: day(4) });
    // A day later at half the rate (the rate since the change: 5,000 a day): 45,000 + 5,000 × 26 = 175,000 > 100,000.
    decision = decideGovernor(input({ now: day(5), backgroundUsed: 45_000, backgroundDailyRate: 9_000, state: decision }));
    expect(decision).toMatchObject({ level: 2, factor: 3, move: "stretch", usedAtChange: 45_000 });
    decision = decideGovernor(input({ now: day(6), backgroundUsed: 48_400, backgroundDailyRate: 8_000, state: decision }));
    expect(decision).toMatchObject({ level: 3, factor: 5, move: "stretch" });
    // The last step is the slowest: it stays there even if the projection still passes the budget.
    decision = decideGovernor(input({ now: day(8), backgroundUsed: 52_000, backgroundDailyRate: 5_000, state: decision }));
    expect(decision).toMatchObject({ level: MAX_LEVEL, factor: 5, move: "steady" });
  });

  it("relaxes one step at a time once the projection at the lower level falls back under 80 % of the budget", () => {
    const stretched: GovernorState = { level: 2, changedAt: day(3), usedAtChange: 20_000 };
    // 2,000 a day since day 3 at ×3: ×2 would be 3,000 a day, 21 days left: 34,000 + 63,000 = 97,000 > 80,000: stays.
    expect(decideGovernor(input({ now: day(10), backgroundUsed: 34_000, state: stretched }))).toMatchObject({ level: 2, move: "steady" });
    // 1,000 a day since day 3: ×2 → 1,500 a day: 27,000 + 31,500 = 58,500 ≤ 80,000: one step back.
    const relaxed = decideGovernor(input({ now: day(10), backgroundUsed: 27_000, state: stretched }));
    expect(relaxed).toMatchObject({ level: 1, factor: 2, move: "relax", changedAt: day(10), usedAtChange: 27_000 });
    // And back to normal a day later: 1,500 a day since → ×1: 3,000 a day, 20 days: 28,500 + 60,000 = 88,500 > 80,000: stays at ×2.
    expect(decideGovernor(input({ now: day(11), backgroundUsed: 28_500, state: relaxed }))).toMatchObject({ level: 1, move: "steady" });
    // Later in the month there is less of it left to spend: at the same rate, ×1 fits (28,500 + 3,000 × 5 < 80,000).
    expect(decideGovernor(input({ now: day(26), backgroundUsed: 51_000, state: relaxed }))).toMatchObject({ level: 0, factor: 1, move: "relax" });
  });

  it("gives the quota to users and syncs first: background room shrinks when other reads are projected to need it", () => {
    // Users and syncs are heading for 450,000 of 500,000: background has 50,000, not 100,000.
    const decision = decideGovernor(input({ backgroundUsed: 20_000, backgroundDailyRate: 2_000, foregroundProjected: 450_000 }));
    // 20,000 + 2,000 × 21 days = 62,000 > 50,000: ×2, projected 20,000 + 1,000 × 21.
    expect(decision).toMatchObject({ room: 50_000, projected: 41_000, level: 1, move: "stretch" });
    expect(decideGovernor(input({ foregroundProjected: 600_000 }))).toMatchObject({ room: 0 });
  });

  it("measures a new month by its own days: a level changed last month is judged on the 7-day rate", () => {
    const lastMonth: GovernorState = { level: 3, changedAt: new Date(month.start.getTime() - 5 * DAY), usedAtChange: 90_000 };
    // Day 2 of the month at ×5: 1,000 a day → ×3 would be 1,667 a day: 2,000 + 1,667 × 29 ≈ 50,333 ≤ 80,000.
    expect(decideGovernor(input({ now: day(2), backgroundUsed: 2_000, backgroundDailyRate: 1_000, state: lastMonth }))).toMatchObject({ level: 2, move: "relax" });
  });

  it("stretches every background interval by the factor, the re-verify always an hour after the floor and under 7 days", () => {
    expect(stretchedIntervals(1)).toEqual({ catchUpFloorMs: DAY, catchUpSpacingMs: HOUR, reverifyAfterMs: DAY + HOUR, retryAfterFailureMs: HOUR });
    expect(stretchedIntervals(3)).toEqual({ catchUpFloorMs: 3 * DAY, catchUpSpacingMs: 3 * HOUR, reverifyAfterMs: 3 * DAY + HOUR, retryAfterFailureMs: 3 * HOUR });
    expect(stretchedIntervals(factorOf(MAX_LEVEL)).reverifyAfterMs).toBeLessThan(7 * DAY - DAY);
    expect([0, 1, 2, 3, 9, -1].map(factorOf)).toEqual([1, 2, 3, 5, 5, 1]);
  });

  it("says so with the numbers while it slows them, and nothing at the normal pace", () => {
    const text = governorWarning({ factor: 3, room: 100_000, quota: 500_000, used: 61_234, projected: 98_000 });
    expect(text).toBe(
      "Change-data-capture catch-up slowed to every 3 days (normally daily), and a connection is re-verified only after 73 hours without a successful call, " +
        "to stay under 100,000 background reads of 500,000 this month (61,234 so far, 98,000 projected). Missed webhooks are still caught up; your own actions and sync runs are not slowed.",
    );
    expect(governorWarning({ factor: 1, room: 100_000, quota: 500_000, used: 0, projected: 0 })).toBeNull();
  });
});
