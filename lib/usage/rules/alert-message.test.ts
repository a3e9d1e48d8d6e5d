import { describe, expect, it } from "vitest";
import { alertMessage } from "./alert-message";

const base = {
  appLabel: "the platform's Intuit app",
  threshold: 80,
  basis: "actual" as const,
  readsAtAlert: 401_234,
  projectedAtAlert: 610_000,
  quota: 500_000,
  monthEnd: new Date("2027-01-01T00:00:00Z"),
  planSetBy: { kind: "viewer" as const },
};

describe("alertMessage", () => {
  it("says what was reached, with the numbers, and names the next tier to the one who sets the plan", () => {
    const message = alertMessage(base);
    expect(message.headline).toBe("The platform's Intuit app has used 80 % of its monthly Intuit read quota: 401,234 of 500,000 metered reads.");
    expect(message.action).toContain("Silver: 1,000,000 reads a month");
    expect(message.action).toContain("slows its own background reads first");
  });

  it("says a projection is one, with the projected figure and the day the month turns", () => {
    const message = alertMessage({ ...base, basis: "projected", threshold: 100 });
    expect(message.headline).toBe(
      "The platform's Intuit app is on course to use 100 % of its monthly Intuit read quota before the month turns on January 1 UTC: 610,000 of 500,000 metered reads at the last 7 days' rate.",
    );
  });

  it("says reads are refused once the whole quota is used, and tells a tenant admin the operator was alerted", () => {
    const message = alertMessage({ ...base, threshold: 100, readsAtAlert: 500_000, planSetBy: { kind: "platform_operator" } });
    expect(message.headline).toContain("Intuit refuses its reads until the month turns on January 1 UTC");
    expect(message.action).toContain("The platform operator has been alerted");
    expect(message.action).toContain("writes, sign-in and the console keep working");
  });

  it("tells the operator looking at a tenant's own app that the tenant's admins set its plan", () => {
    const message = alertMessage({ ...base, appLabel: "Globex Logistics's own Intuit app", planSetBy: { kind: "tenant_admins", tenantName: "Globex Logistics" } });
    expect(message.action).toContain("Globex Logistics's admins set this app's plan: they can upgrade the app's tier with Intuit (Silver: 1,000,000 reads a month)");
    expect(message.action).not.toContain("The platform operator has been alerted");
  });

  it("has no tier to name above Platinum", () => {
    expect(alertMessage({ ...base, quota: 75_000_000 }).action).toContain("Ask Intuit for a larger quota");
  });
});
