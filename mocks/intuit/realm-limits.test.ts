// Intuit's per-realm Accounting API limits as the emulator enforces them (intuit.md §4), exercised with raw HTTP like
// handlers.test.ts. Small limits keep the tests fast; the defaults are lib/intuit/limits.ts.

import { describe, expect, it } from "vitest";
import { INTUIT_REALM_LIMITS } from "../../lib/intuit/limits";
import { completeConsent } from "./node";
import { useIntuitMock } from "./vitest";

const intuit = useIntuitMock("http://intuit.test", { redirectUris: ["http://localhost:3000/callback"] });
const REDIRECT = "http://localhost:3000/callback";
const REALM = "9341452000000001";
const OTHER_REALM = "9341452000000002";
const DEFAULTS = { ...INTUIT_REALM_LIMITS, retryAfterSeconds: null };

const THROTTLE_BODY = {
  fault: {
    error: [{ message: "message=ThrottleExceeded; errorCode=003001; statusCode=429", detail: "The request limit was reached.", code: "3001" }],
    type: "SERVICE",
  },
  time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
};

async function connect(realmId = REALM): Promise<string> {
  const params = new URLSearchParams({
    client_id: intuit.clientId,
    response_type: "code",
    scope: "com.intuit.quickbooks.accounting",
    redirect_uri: REDIRECT,
    state: "s",
  });
  const callback = await completeConsent(`${intuit.authorizeUrl}?${params}`, { realmId });
  const response = await fetch(intuit.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${intuit.clientId}:${intuit.clientSecret}`)}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code: callback.searchParams.get("code") ?? "", redirect_uri: REDIRECT }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** One request to each Accounting API endpoint the emulator serves, in turn. */
const ENDPOINTS = [
  (realmId: string) => `/v3/company/${realmId}/companyinfo/${realmId}?minorversion=75`,
  (realmId: string) => `/v3/company/${realmId}/query?query=${encodeURIComponent("select * from Account")}&minorversion=75`,
  (realmId: string) => `/v3/company/${realmId}/cdc?entities=Customer&changedSince=${new Date(Date.now() - 60_000).toISOString()}&minorversion=75`,
];

function api(token: string | null, realmId = REALM, endpoint = 0): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const path = ENDPOINTS[endpoint % ENDPOINTS.length]!(realmId);
  return fetch(`${intuit.origin}${path}`, { headers });
}

function control(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
  return fetch(`${intuit.origin}/__emulator/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("per-realm request limit", () => {
  it("starts at Intuit's numbers, without Retry-After", () => {
    expect(intuit.emulator.limits()).toEqual(DEFAULTS);
  });

  it("answers 429 ThrottleExceeded (3001) beyond requestsPerWindow, on every API endpoint, other realms unaffected", async () => {
    const token = await connect();
    const other = await connect(OTHER_REALM);
    intuit.emulator.setLimits({ requestsPerWindow: 3 });

    for (let i = 0; i < 3; i++) expect((await api(token, REALM, i)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const throttled = await api(token, REALM, i);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("content-type")).toContain("application/json");
      expect(throttled.headers.get("intuit_tid")).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(throttled.headers.get("retry-after")).toBeNull();
      expect(await throttled.json()).toEqual(THROTTLE_BODY);
    }
    expect((await api(other, OTHER_REALM)).status).toBe(200);

    // Throttled requests never reach the data service, and take none of its injected faults.
    expect(intuit.emulator.apiRequests().filter((r) => r.realmId === REALM)).toHaveLength(3);
    intuit.emulator.injectFault({ target: "api", status: 503 });
    expect((await api(token)).status).toBe(429);
    expect(intuit.emulator.pendingFaults()).toHaveLength(1);

    expect(intuit.emulator.limitStats()).toEqual({
      [REALM]: { requests: 7, accepted: 3, throttled: 4, maxInWindow: 3, maxConcurrent: 1 },
      [OTHER_REALM]: { requests: 1, accepted: 1, throttled: 0, maxInWindow: 1, maxConcurrent: 1 },
    });
  });

  it("counts requests whatever their answer, unauthenticated ones included", async () => {
    intuit.emulator.setLimits({ requestsPerWindow: 2 });
    expect((await api(null)).status).toBe(401);
    expect((await api("not-a-token")).status).toBe(401);
    expect((await api(null)).status).toBe(429);
  });

  it("slides the window: requests become possible again as old ones age out (real clock, 250 ms window)", async () => {
    const token = await connect();
    intuit.emulator.setLimits({ requestsPerWindow: 2, windowMs: 250 });
    const burst = async () => (await Promise.all([api(token), api(token), api(token)])).map((r) => r.status).sort();

    expect(await burst()).toEqual([200, 200, 429]);
    await sleep(300);
    expect(await burst()).toEqual([200, 200, 429]);
    expect(intuit.emulator.limitStats()[REALM]).toMatchObject({ requests: 6, accepted: 4, throttled: 2, maxInWindow: 2 });
  });

  it("slides rather than resets at fixed boundaries (emulator clock, 60 s window)", async () => {
    const token = await connect();
    intuit.emulator.setLimits({ requestsPerWindow: 2 });
    const at = async (seconds: number) => {
      intuit.emulator.advanceTime(seconds - elapsed);
      elapsed = seconds;
      return (await api(token)).status;
    };
    let elapsed = 0;

    expect(await at(0)).toBe(200);
    expect(await at(30)).toBe(200);
    expect(await at(45)).toBe(429);
    expect(await at(61)).toBe(200); // the request at 0 has left the window; the one at 30 has not
    expect(await at(62)).toBe(429); // a window reset every 60 s would have accepted this one
    expect(await at(91)).toBe(200);
    expect(intuit.emulator.limitStats()[REALM]).toEqual({ requests: 6, accepted: 4, throttled: 2, maxInWindow: 2, maxConcurrent: 1 });
  });

  it("reports the most accepted requests seen in one window, not the total", async () => {
    const token = await connect();
    const statuses: number[] = [];
    for (const step of [0, 20, 20, 30, 30, 10]) {
      intuit.emulator.advanceTime(step);
      statuses.push((await api(token)).status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Arrivals at 0, 20, 40, 70, 100, 110 s: at most three within any 60 s.
    expect(intuit.emulator.limitStats()[REALM]).toEqual({ requests: 6, accepted: 6, throttled: 0, maxInWindow: 3, maxConcurrent: 1 });
  });
});

describe("per-realm concurrency limit", () => {
  it("refuses a request while `concurrent` others are in flight, an injected delay counting as in flight", async () => {
    const token = await connect();
    intuit.emulator.setLimits({ concurrent: 2 });
    intuit.emulator.injectFault({ target: "api", delayMs: 300, times: 2 });

    // The two accepted requests take the delay; the third arrives while both are still being answered.
    const responses = await Promise.all([api(token), api(token), api(token)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const throttled = responses.find((r) => r.status === 429)!;
    expect(await throttled.json()).toEqual(THROTTLE_BODY);

    // Answered requests free their slots.
    expect((await api(token)).status).toBe(200);
    expect(intuit.emulator.limitStats()[REALM]).toEqual({ requests: 4, accepted: 3, throttled: 1, maxInWindow: 3, maxConcurrent: 2 });
  });

  it("frees the slot of a request answered by an injected fault", async () => {
    const token = await connect();
    intuit.emulator.setLimits({ concurrent: 1 });
    intuit.emulator.injectFault({ target: "api", status: 500, delayMs: 50 });
    expect((await api(token)).status).toBe(500);
    expect((await api(token)).status).toBe(200);
    expect(intuit.emulator.limitStats()[REALM]).toMatchObject({ throttled: 0, maxConcurrent: 1 });
  });

  it("lets slow requests in the default limits run side by side up to Intuit's concurrency", async () => {
    const token = await connect();
    intuit.emulator.injectFault({ target: "api", delayMs: 200, times: INTUIT_REALM_LIMITS.concurrent });
    const statuses = await Promise.all(Array.from({ length: INTUIT_REALM_LIMITS.concurrent + 1 }, () => api(token)));
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(1);
    expect(intuit.emulator.limitStats()[REALM]?.maxConcurrent).toBe(INTUIT_REALM_LIMITS.concurrent);
  });
});

describe("control: /__emulator/limits", () => {
  it("sets limits and a Retry-After over HTTP, and reports them with the statistics", async () => {
    const token = await connect();
    const set = await control("POST", "limits", { requestsPerWindow: 1, retryAfterSeconds: 7 });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ ok: true, limits: { ...DEFAULTS, requestsPerWindow: 1, retryAfterSeconds: 7 } });

    expect((await api(token)).status).toBe(200);
    const throttled = await api(token);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("7");

    // Fields left out keep their value; null turns the header off again.
    await control("POST", "limits", { retryAfterSeconds: null });
    const again = await api(token);
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toBeNull();

    const state = await control("GET", "limits");
    expect(await state.json()).toEqual({
      limits: { ...DEFAULTS, requestsPerWindow: 1 },
      realms: { [REALM]: { requests: 3, accepted: 1, throttled: 2, maxInWindow: 1, maxConcurrent: 1 } },
    });
  });

  it("answers 400 to bad input and keeps the limits", async () => {
    for (const bad of [
      { requestsPerWindow: 0 },
      { windowMs: "fast" },
      { concurrent: 1.5 },
      { retryAfterSeconds: -1 },
      { requestsPerMinute: 5 },
      [],
      "not json",
    ]) {
      const response = await control("POST", "limits", bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe("invalid_request");
    }
    expect(intuit.emulator.limits()).toEqual(DEFAULTS);
    expect(() => intuit.emulator.setLimits({ concurrent: -1 })).toThrow();
    expect(intuit.emulator.limits()).toEqual(DEFAULTS);
  });

  it("is restored to the defaults, statistics cleared, by /__emulator/reset", async () => {
    await control("POST", "limits", { requestsPerWindow: 1, windowMs: 1000, concurrent: 1, retryAfterSeconds: 3 });
    await api(null);
    await api(null);
    expect(intuit.emulator.limitStats()[REALM]).toMatchObject({ requests: 2, throttled: 1 });

    expect((await control("POST", "reset", {})).status).toBe(200);
    expect(await (await control("GET", "limits")).json()).toEqual({ limits: DEFAULTS, realms: {} });
  });
});
