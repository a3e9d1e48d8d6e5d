import { describe, expect, it } from "vitest";
import { fromCents, toCents } from "./money";

describe("money in cents", () => {
  it("reads decimal strings and numbers as whole cents, signs kept", () => {
    expect(toCents("1250.50")).toBe(125050);
    expect(toCents(1250.5)).toBe(125050);
    expect(toCents("-80")).toBe(-8000);
    expect(toCents("0.00")).toBe(0);
  });

  it("adds exactly where floats would not, and writes two decimal places back", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(fromCents(toCents("0.10") + toCents("0.20"))).toBe("0.30");
    expect(fromCents(-8000)).toBe("-80.00");
    expect(fromCents(5)).toBe("0.05");
  });
});
