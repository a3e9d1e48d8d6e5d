// Vitest hooks around setupIntuitMock, kept apart from node.ts so scripts can import node.ts without Vitest.
//
//   import { useIntuitMock } from "@/mocks/intuit/vitest";
//   const intuit = useIntuitMock();            // at the top of a test file
//   it("…", async () => { … intuit.discoveryUrl … intuit.emulator.calls.tokenRefreshToken … });
//   intuit.emulator.setLimits({ concurrent: 2 }); intuit.emulator.limitStats()   per-realm API limits, reset after each test
//
// Unhandled requests fail the test ("error"): a call to a host nobody mocked is a bug, not a network call.

import { afterAll, afterEach, beforeAll } from "vitest";
import type { IntuitEmulatorOptions } from "./handlers";
import { setupIntuitMock, type IntuitMock } from "./node";

export function useIntuitMock(
  origin = "http://intuit.test",
  options: Omit<IntuitEmulatorOptions, "origin"> = {},
): IntuitMock {
  const mock = setupIntuitMock(origin, options);
  beforeAll(() => mock.server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    mock.server.resetHandlers();
    mock.emulator.reset();
  });
  afterAll(() => mock.server.close());
  return mock;
}
