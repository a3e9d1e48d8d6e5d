import { describe, expect, it } from "vitest";
import { hardExpiryWarning } from "./hard-expiry";

const now = new Date("2026-12-07T12:00:00Z");
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);

describe("hardExpiryWarning", () => {
  it("warns at 30 days and again at 7, each once (its key names the threshold and the expiry)", () => {
    expect(hardExpiryWarning(inDays(31), now)).toBeNull();
    const month = hardExpiryWarning(inDays(30), now)!;
    expect(month).toMatchObject({ daysLeft: 30, threshold: 30 });
    expect(hardExpiryWarning(inDays(12.5), now)).toMatchObject({ daysLeft: 13, threshold: 30 });
    const week = hardExpiryWarning(inDays(6.2), now)!;
    expect(week).toMatchObject({ daysLeft: 7, threshold: 7 });
    expect(month.dedupeKey("c1")).not.toBe(week.dedupeKey("c1"));
    // The same expiry seen again, days later but before the 7-day mark: the same warning, which the outbox drops.
    const expiry = inDays(30);
    const later = new Date(now.getTime() + 10 * 86_400_000);
    expect(hardExpiryWarning(expiry, later)!.dedupeKey("c1")).toBe(month.dedupeKey("c1"));
  });

  it("says nothing once the authorization has ended (the connection needs a reconnect, which says so itself)", () => {
    expect(hardExpiryWarning(inDays(-1), now)).toBeNull();
  });
});
