import { describe, expect, it } from "vitest";
import { assertTransition, canTransition, InvalidTransitionError, statusWhenAuthorizing } from "./connection-state";

describe("connection state machine", () => {
  it("walks the connect path", () => {
    expect(canTransition("not_connected", "authorizing")).toBe(true);
    expect(canTransition("authorizing", "callback_received")).toBe(true);
    expect(canTransition("callback_received", "verified")).toBe(true);
    expect(canTransition("verified", "active")).toBe(true);
  });

  it("refuses shortcuts", () => {
    expect(canTransition("not_connected", "active")).toBe(false);
    expect(canTransition("authorizing", "active")).toBe(false);
    expect(canTransition("disconnected", "active")).toBe(false);
    expect(() => assertTransition("not_connected", "verified")).toThrow(InvalidTransitionError);
  });

  it("leaves a working connection up while a new authorization is under way", () => {
    expect(statusWhenAuthorizing("active")).toBe("active");
    expect(statusWhenAuthorizing("reauthorization_required")).toBe("reauthorization_required");
    expect(statusWhenAuthorizing("not_connected")).toBe("authorizing");
    expect(statusWhenAuthorizing("disconnected")).toBe("authorizing");
  });
});
