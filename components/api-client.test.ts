import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiFetch, onStalePage } from "./api-client";

const TENANT = "0f8fad5b-d9cb-469f-a165-70867728950e";

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
    await expect(apiFetch<{ indicator: string }>("/api/quickbooks/status", { tenantId: TENANT })).resolves.toEqual({ indicator: "green" });
    const [path, init] = fetch.mock.calls[0]!;
    expect(path).toBe("/api/quickbooks/status");
    expect(init).toMatchObject({ method: "GET", headers: { accept: "application/json", "x-qbc-tenant": TENANT }, body: undefined });
  });

  it("should send a given body as JSON with its content type", async () => {
    const fetch = answer(Response.json({ mapped: 2 }));
    await apiFetch("/api/quickbooks/mappings/validate", { method: "POST", body: { environment: "sandbox" }, tenantId: TENANT });
    const [, init] = fetch.mock.calls[0]!;
    expect(init).toMatchObject({
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json", "x-qbc-tenant": TENANT },
      body: JSON.stringify({ environment: "sandbox" }),
    });
  });

  it("should send a POST without a body without a content type", async () => {
    const fetch = answer(Response.json({ requeued: 0 }));
    await apiFetch("/api/quickbooks/webhooks/retry", { method: "POST", tenantId: TENANT });
    expect(fetch.mock.calls[0]![1]?.headers).toEqual({ accept: "application/json", "x-qbc-tenant": TENANT });
  });

  it("should name the tenant the page was rendered for on every request, reads and changes alike", async () => {
    const fetch = answer(Response.json({}));
    await apiFetch("/api/quickbooks/verify", { method: "POST", tenantId: "tenant-1" });
    await apiFetch("/api/quickbooks/status", { tenantId: "tenant-2" });
    expect(fetch.mock.calls.map(([, init]) => (init?.headers as Record<string, string>)["x-qbc-tenant"])).toEqual(["tenant-1", "tenant-2"]);
  });

  it("should tell the stale-page listeners about a tenant_mismatch or tenant_required answer, and only those", async () => {
    const heard: string[] = [];
    const stop = onStalePage((error) => heard.push(`${error.status} ${error.message}`));
    const message = "This page is for Acme Field Services, but your session now acts for Globex Logistics. Nothing was changed. Reload to continue.";
    answer(Response.json({ error: { code: "tenant_mismatch", message } }, { status: 409 }));
    await expect(apiFetch("/api/quickbooks/disconnect", { method: "POST", tenantId: TENANT })).rejects.toMatchObject({ code: "tenant_mismatch", message });
    answer(Response.json({ error: { code: "tenant_required", message: "Reload." } }, { status: 428 }));
    await expect(apiFetch("/api/quickbooks/verify", { method: "POST", tenantId: TENANT })).rejects.toMatchObject({ code: "tenant_required" });
    answer(Response.json({ error: { code: "forbidden", message: "No." } }, { status: 403 }));
    await expect(apiFetch("/api/quickbooks/verify", { method: "POST", tenantId: TENANT })).rejects.toMatchObject({ code: "forbidden" });
    stop();
    answer(Response.json({ error: { code: "tenant_mismatch", message } }, { status: 409 }));
    await expect(apiFetch("/api/quickbooks/status", { tenantId: TENANT })).rejects.toBeInstanceOf(ApiError);
    expect(heard).toEqual([`409 ${message}`, "428 Reload."]);
  });

  it("should throw the route's error as an ApiError with its code, message, status and details", async () => {
    const details = { fields: { clientId: "Required" } };
    answer(Response.json({ error: { code: "invalid_request", message: "The client id is missing.", details } }, { status: 400 }));
    const error = await apiFetch("/api/quickbooks/settings", { method: "PUT", body: {}, tenantId: TENANT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "invalid_request", message: "The client id is missing.", status: 400, details });
  });

  it("should leave details undefined when the route sent none", async () => {
    answer(Response.json({ error: { code: "forbidden", message: "Your role does not allow this action for this tenant." } }, { status: 403 }));
    const error = await apiFetch("/api/quickbooks/disconnect", { method: "POST", tenantId: TENANT }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "forbidden", status: 403, details: undefined });
  });

  it("should throw a generic ApiError when the error answer is not the JSON error shape", async () => {
    answer(new Response("<html>Bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } }));
    const error = await apiFetch("/api/quickbooks/status", { tenantId: TENANT }).catch((e: unknown) => e);
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
    await expect(apiFetch("/api/quickbooks/status", { tenantId: TENANT })).rejects.toThrow(TypeError);
  });
});
