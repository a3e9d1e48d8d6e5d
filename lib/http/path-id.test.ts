import { describe, expect, it } from "vitest";
import { AppError, toErrorResponse } from "@/lib/errors";
import { idOrNull, parseId, parseUuid } from "./path-id";

const notFound = () => new AppError("not_found", 404, "That thing does not exist.");

describe("path ids", () => {
  it("reads a numeric id of up to 15 digits", () => {
    expect(parseId("42", notFound)).toBe(42);
    expect(parseId("999999999999999", notFound)).toBe(999_999_999_999_999);
    expect(idOrNull("7")).toBe(7);
  });

  it("refuses what cannot be a numeric id with the caller's not-found error, as the contract's JSON", async () => {
    for (const segment of ["", "abc", "-1", "1.5", "1e3", " 1", "1 ", "0x10", "9".repeat(16), "1;drop", "%31", "١٢"]) {
      expect(idOrNull(segment), JSON.stringify(segment)).toBeNull();
      expect(() => parseId(segment, notFound), JSON.stringify(segment)).toThrow(AppError);
    }
    let thrown: unknown;
    try {
      parseId("../1", notFound);
    } catch (error) {
      thrown = error;
    }
    const response = toErrorResponse(thrown);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "not_found", message: "That thing does not exist." } });
  });

  it("reads a uuid in either case, and refuses anything else", () => {
    expect(parseUuid("0f8fad5b-d9cb-469f-a165-70867728950e", notFound)).toBe("0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(parseUuid("0F8FAD5B-D9CB-469F-A165-70867728950E", notFound)).toBe("0F8FAD5B-D9CB-469F-A165-70867728950E");
    for (const segment of ["", "42", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5bd9cb469fa16570867728950e", "0f8fad5b-d9cb-469f-a165-70867728950e'", "{0f8fad5b-d9cb-469f-a165-70867728950e}"]) {
      expect(() => parseUuid(segment, notFound), JSON.stringify(segment)).toThrow(AppError);
    }
  });
});
