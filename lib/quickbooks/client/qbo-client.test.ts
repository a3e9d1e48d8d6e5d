import { describe, expect, it } from "vitest";
import { IntuitApiError } from "@/lib/intuit/faults";
import { retryDelayMs, THROTTLE_RETRIES, TRANSIENT_RETRIES } from "./qbo-client";

describe("retryDelayMs", () => {
  const error = (kind: IntuitApiError["kind"], extra: Partial<{ code: string; retryAfterMs: number }> = {}) =>
    new IntuitApiError({ kind, status: null, code: extra.code ?? null, message: kind, detail: null, faultType: null, intuitTid: null, retryAfterMs: extra.retryAfterMs });
  const half = () => 0.5;

  it("follows Retry-After, else backs off exponentially with jitter, and stops after the limit", () => {
    expect(retryDelayMs(error("throttled", { retryAfterMs: 2_000 }), 1, true, half)).toBe(2_000);
    expect(retryDelayMs(error("throttled"), 1, true, half)).toBe(750);
    expect(retryDelayMs(error("throttled"), 3, true, half)).toBe(3_000);
    expect(retryDelayMs(error("throttled"), THROTTLE_RETRIES + 1, true, half)).toBeNull();
  });

  it("does not retry what the limiter already waited for, or what cannot pass", () => {
    expect(retryDelayMs(error("throttled", { code: "local_limit" }), 1, true)).toBeNull();
    for (const kind of ["authentication", "authorization", "validation", "not_found", "unexpected"] as const) expect(retryDelayMs(error(kind), 1, true)).toBeNull();
  });

  it("retries passing failures of idempotent calls only, a bounded number of times", () => {
    for (const kind of ["server", "timeout", "network"] as const) {
      expect(retryDelayMs(error(kind), 1, true, half)).toBe(225);
      expect(retryDelayMs(error(kind), TRANSIENT_RETRIES + 1, true)).toBeNull();
      expect(retryDelayMs(error(kind), 1, false)).toBeNull();
    }
  });
});
