import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiFetch } from "./api-client";

/** Stands in for the browser's fetch: records each request and answers with the given response. */
function answer(response: Response) {
  const fetch = vi.fn(async (_input: string, _init?: RequestInit) => response.clone());
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("apiFetch", () => {
  it("should GET the path asking for JSON, with no body, and answer the parsed body", async () => {
    const fetch = answer(Response.json({ indicator: "green" }));
    await expect(apiFetch<{ indicator: string }>("/api/quickbooks/status")).resolves.toEqual({ indicator: "green" });
    const [path, init] = fetch.mock.calls[0]!;
    expect(path).toBe("/api/quickbooks/status");
    expect(init).toMatchObject({ method: "GET", headers: { accept: "application/json" }, body: undefined });
  });

  it("should send a given body as JSON with its content type", async () => {
    const fetch = answer(Response.json({ mapped: 2 }));
    await apiFetch("/api/quickbooks/mappings/validate", { method: "POST", body: { environment: "sandbox" } });
    const [, init] = fetch.mock.calls[0]!;
    expect(init).toMatchObject({
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ environment: "sandbox" }),
    });
  });

  it("should send a POST without a body without a content type", async () => {
    const fetch = answer(Response.json({ requeued: 0 }));
    await apiFetch("/api/quickbooks/webhooks/retry", { method: "POST" });
    expect(fetch.mock.calls[0]![1]?.headers).toEqual({ accept: "application/json" });
  });

  it("should not send the tenant yet (the tenant binding adds the header in one place)", async () => {
    const fetch = answer(Response.json({}));
    await apiFetch("/api/quickbooks/verify", { method: "POST", tenantId: "tenant-1" });
    expect(fetch.mock.calls[0]![1]?.headers).toEqual({ accept: "application/json" });
  });

  it("should throw the route's error as an ApiError with its code, message, status and details", async () => {
    const details = { fields: { clientId: "Required" } };
    answer(Response.json({ error: { code: "invalid_request", message: "The client id is missing.", details } }, { status: 400 }));
    const error = await apiFetch("/api/quickbooks/settings", { method: "PUT", body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "invalid_request", message: "The client id is missing.", status: 400, details });
  });

  it("should leave details undefined when the route sent none", async () => {
    answer(Response.json({ error: { code: "forbidden", message: "Your role does not allow this action for this tenant." } }, { status: 403 }));
    const error = await apiFetch("/api/quickbooks/disconnect", { method: "POST" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "forbidden", status: 403, details: undefined });
  });

  it("should throw a generic ApiError when the error answer is not the JSON error shape", async () => {
    answer(new Response("<html>Bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } }));
    const error = await apiFetch("/api/quickbooks/status").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "http_error", message: "The request failed (502).", status: 502 });
  });

  it("should let a network failure through as fetch threw it", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    await expect(apiFetch("/api/quickbooks/status")).rejects.toThrow(TypeError);
  });
});
