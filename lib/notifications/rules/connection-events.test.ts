import { describe, expect, it } from "vitest";
import { connectionEventFor } from "./connection-events";

describe("connectionEventFor", () => {
  it("says connected the first time and after a disconnect, recovered after a reconnect was needed", () => {
    expect(connectionEventFor("active", null)).toBe("connection.connected");
    expect(connectionEventFor("active", "connection.disconnected")).toBe("connection.connected");
    expect(connectionEventFor("active", "connection.reauthorization_required")).toBe("connection.recovered");
  });

  it("sends nothing for a connection that was already reported active (a re-verify, a token stored again)", () => {
    expect(connectionEventFor("active", "connection.connected")).toBeNull();
    expect(connectionEventFor("active", "connection.recovered")).toBeNull();
  });

  it("reports a move to reauthorization or a disconnect, and nothing for the steps on the way in", () => {
    expect(connectionEventFor("reauthorization_required", "connection.connected")).toBe("connection.reauthorization_required");
    expect(connectionEventFor("disconnected", "connection.recovered")).toBe("connection.disconnected");
    for (const to of ["authorizing", "callback_received", "error"]) expect(connectionEventFor(to, "connection.connected")).toBeNull();
  });
});
