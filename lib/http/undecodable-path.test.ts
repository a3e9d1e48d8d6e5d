import { describe, expect, it } from "vitest";
import { hasUndecodablePath, undecodablePathResponse } from "./undecodable-path";

describe("hasUndecodablePath", () => {
  it.each([
    "/api/auth/signin/%F8%A1%A1%A1%A1",
    "/api/auth/error%C0%AE%C0%AE%2F",
    "/api/quickbooks/sync/%",
    "/api/quickbooks/sync/%E0%A4%A",
    "/api/quickbooks/reconciliations/%FF/close",
  ])("finds %s undecodable", (path) => {
    expect(hasUndecodablePath(`http://localhost:3000${path}`)).toBe(true);
  });

  it.each(["/api/auth/session", "/api/auth/signin/credentials", "/api/quickbooks/sync/12", "/api/x%20y/%C3%A9", "/api/auth/error%2F", "/api/auth/error?x=%F8"])("reads %s", (path) => {
    expect(hasUndecodablePath(`http://localhost:3000${path}`)).toBe(false);
  });
});

describe("undecodablePathResponse", () => {
  it("is the contract's 400 JSON error", async () => {
    const response = undecodablePathResponse();
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "malformed_url", message: expect.stringContaining("percent-encoding") } });
  });
});
