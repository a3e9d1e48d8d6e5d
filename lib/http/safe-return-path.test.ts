import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./safe-return-path";

describe("safeReturnPath", () => {
  it("keeps paths on this site", () => {
    expect(safeReturnPath("/integrations/quickbooks?x=1")).toBe("/integrations/quickbooks?x=1");
  });
  it.each(["https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)", "", null, 42, "/a\nb"])("refuses %s", (value) => {
    expect(safeReturnPath(value)).toBe("/integrations/quickbooks");
  });
});
