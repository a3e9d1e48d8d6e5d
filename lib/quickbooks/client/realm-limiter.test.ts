import { describe, expect, it } from "vitest";
import { appWindowMs, INTUIT_REALM_LIMITS } from "@/lib/intuit/limits";
import { nextTryInMs } from "./realm-limiter";

describe("nextTryInMs", () => {
  it("waits for the oldest request to leave the window when the rate is spent", () => {
    const wait = nextTryInMs({ inWindow: 500, rateWaitMs: 4_000 }, INTUIT_REALM_LIMITS, 0);
    expect(wait).toBeGreaterThanOrEqual(4_000);
    expect(wait).toBeLessThan(4_030);
  });

  it("polls briefly, backing off to a quarter of a second, when only the concurrency is spent", () => {
    expect(nextTryInMs({ inWindow: 3, rateWaitMs: 50_000 }, INTUIT_REALM_LIMITS, 0)).toBeLessThanOrEqual(15);
    expect(nextTryInMs({ inWindow: 3, rateWaitMs: 50_000 }, INTUIT_REALM_LIMITS, 30)).toBeLessThanOrEqual(375);
  });

  it("keeps the app's window a little longer than Intuit's", () => {
    expect(appWindowMs(INTUIT_REALM_LIMITS)).toBeGreaterThan(60_000);
    expect(appWindowMs(INTUIT_REALM_LIMITS)).toBeLessThanOrEqual(62_200);
  });
});
