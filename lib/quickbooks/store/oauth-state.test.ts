import { describe, expect, it } from "vitest";
import { classifyConsumedState, createOAuthState, hashOAuthState } from "./oauth-state";

describe("OAuth state", () => {
  it("is random, URL-safe and stored only as a hash", () => {
    const a = createOAuthState();
    const b = createOAuthState();
    expect(a.state).not.toBe(b.state);
    expect(a.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.stateHash).toBe(hashOAuthState(a.state));
    expect(a.stateHash).not.toContain(a.state);
  });

  const stored = { userId: "u1", tenantId: "t1", expiresAt: new Date("2026-01-01T00:10:00Z") };
  const before = new Date("2026-01-01T00:05:00Z");

  it("accepts the same user and tenant before expiry", () => {
    expect(classifyConsumedState(stored, { userId: "u1", tenantId: "t1" }, before)).toBe("ok");
  });
  it("refuses an expired state", () => {
    expect(classifyConsumedState(stored, { userId: "u1", tenantId: "t1" }, new Date("2026-01-01T00:10:00Z"))).toBe("state_expired");
  });
  it("refuses another user, another tenant, or no session", () => {
    expect(classifyConsumedState(stored, { userId: "u2", tenantId: "t1" }, before)).toBe("state_foreign");
    expect(classifyConsumedState(stored, { userId: "u1", tenantId: "t2" }, before)).toBe("state_foreign");
    expect(classifyConsumedState(stored, null, before)).toBe("state_foreign");
  });
});
