import { describe, expect, it } from "vitest";
import { maxAttempts, nextAttemptAt } from "./retry-schedule";

describe("the retry schedule", () => {
  it("spreads a webhook's attempts over about a day, then stops", () => {
    const start = new Date("2026-12-07T00:00:00Z");
    let at = start;
    let attempts = 1;
    for (;;) {
      const next = nextAttemptAt("webhook", attempts, at);
      if (!next) break;
      at = next;
      attempts++;
    }
    expect(attempts).toBe(maxAttempts("webhook"));
    expect(attempts).toBe(7);
    const hours = (at.getTime() - start.getTime()) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThan(25);
  });

  it("gives an email about an hour", () => {
    expect(maxAttempts("email")).toBe(5);
    expect(nextAttemptAt("email", 1, new Date(0))!.getTime()).toBe(30_000);
    expect(nextAttemptAt("email", maxAttempts("email"), new Date(0))).toBeNull();
  });
});
