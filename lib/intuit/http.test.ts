import { describe, expect, it } from "vitest";
import { allowsInsecureRequests } from "./http";

describe("allowsInsecureRequests", () => {
  it.each([
    ["http://localhost:4010/x", true],
    ["http://127.0.0.1:4010/x", true],
    ["http://intuit.test/x", true],
    ["https://intuit.test/x", false],
    ["http://oauth.platform.intuit.com/x", false],
    ["http://localhost.evil.com/x", false],
    ["http://10.0.0.5/x", false],
  ])("%s → %s", (url, expected) => {
    expect(allowsInsecureRequests(new URL(url))).toBe(expected);
  });
});
