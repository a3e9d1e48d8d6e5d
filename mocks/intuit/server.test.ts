// The standalone emulator over real HTTP (no MSW interception in this file): what `npm run emulator` serves to
// the browser and the app in development and in Playwright.

import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulatorServer, type EmulatorServer } from "./server";

const REDIRECT = "http://localhost:3000/api/quickbooks/callback";
const REALM = "9341452000000002";
let emulator: EmulatorServer;

beforeAll(async () => {
  emulator = await startEmulatorServer({ redirectUris: [REDIRECT] });
});
afterAll(async () => {
  await emulator.close();
});

function authorizeQuery(): URLSearchParams {
  return new URLSearchParams({
    client_id: "emulator-client-id",
    response_type: "code",
    scope: "com.intuit.quickbooks.accounting",
    redirect_uri: REDIRECT,
    state: "state-xyz",
  });
}

const basic = `Basic ${btoa("emulator-client-id:emulator-client-secret")}`;

describe("standalone emulator server", () => {
  it("does the whole round trip: discovery, consent page, decision, token, CompanyInfo, revoke", async () => {
    const discovery = await fetch(`${emulator.url}/.well-known/openid_sandbox_configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get("intuit_tid")).toBeTruthy();
    const doc = (await discovery.json()) as { authorization_endpoint: string; token_endpoint: string; revocation_endpoint: string };
    expect(doc.authorization_endpoint).toBe(`${emulator.url}/connect/oauth2`);

    const page = await fetch(`${doc.authorization_endpoint}?${authorizeQuery()}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toMatch(/<button[^>]*>Connect<\/button>/);
    expect(html).toMatch(/<button[^>]*>Cancel<\/button>/);

    // The browser submits the form: hidden inputs plus the chosen company and the pressed button.
    const form = authorizeQuery();
    form.set("realmId", REALM);
    form.set("decision", "connect");
    const decision = await fetch(`${emulator.url}/connect/oauth2/decision`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      redirect: "manual",
    });
    expect(decision.status).toBe(302);
    const callback = new URL(decision.headers.get("location") ?? "");
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get("state")).toBe("state-xyz");
    expect(callback.searchParams.get("realmId")).toBe(REALM);
    const code = callback.searchParams.get("code") ?? "";

    const token = await fetch(doc.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic, "x-include-refresh-token-hard-expires-in": "true" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT }),
    });
    expect(token.status).toBe(200);
    const tokens = (await token.json()) as { access_token: string; refresh_token: string; x_refresh_token_hard_expires_in: number };
    expect(tokens.x_refresh_token_hard_expires_in).toBeGreaterThan(0);

    const info = await fetch(`${emulator.url}/v3/company/${REALM}/companyinfo/${REALM}?minorversion=75`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, accept: "application/json" },
    });
    expect(info.status).toBe(200);
    expect(((await info.json()) as { CompanyInfo: { CompanyName: string } }).CompanyInfo.CompanyName).toBe("Sandbox Company_US_2");

    const revoke = await fetch(doc.revocation_endpoint, {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ token: tokens.refresh_token }),
    });
    expect(revoke.status).toBe(200);
    expect(await revoke.text()).toBe("");
    expect(emulator.emulator.activeTokens()).toEqual([]);
  });

  it("redirects Cancel with access_denied and renders the redirect_uri error page", async () => {
    const form = authorizeQuery();
    form.set("decision", "cancel");
    const cancel = await fetch(`${emulator.url}/connect/oauth2/decision`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
      redirect: "manual",
    });
    expect(new URL(cancel.headers.get("location") ?? "").searchParams.get("error")).toBe("access_denied");

    const query = authorizeQuery();
    query.set("redirect_uri", "http://localhost:3000/elsewhere");
    const bad = await fetch(`${emulator.url}/connect/oauth2?${query}`, { redirect: "manual" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("The redirect_uri query parameter value is invalid");
  });

  it("answers requests whose Host names the same server differently (localhost vs 127.0.0.1)", async () => {
    // A browser at http://localhost:<port> sends "Host: localhost:<port>" although we advertise 127.0.0.1.
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: "127.0.0.1", port: emulator.port, path: "/.well-known/openid_configuration", headers: { host: `localhost:${emulator.port}` } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on("error", reject);
      request.end();
    });
    expect(status).toBe(200);
  });

  it("is driven through the control endpoints", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${emulator.url}/__emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    expect((await post("reset", {})).status).toBe(200);
    expect((await post("faults", { target: "token", error: "invalid_grant", times: 1 })).status).toBe(201);
    const faulted = await fetch(`${emulator.url}/oauth2/v1/tokens/bearer`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "whatever" }),
    });
    expect(faulted.status).toBe(400);
    expect(await faulted.json()).toEqual({ error: "invalid_grant", error_description: "Token invalid" });

    const state = (await (await fetch(`${emulator.url}/__emulator/state`)).json()) as { calls: { tokenRefreshToken: number }; pendingFaults: unknown[] };
    expect(state.calls.tokenRefreshToken).toBe(1);
    expect(state.pendingFaults).toEqual([]);
    expect((await post("revoke-grant", { realmId: REALM })).status).toBe(200);
    expect((await post("advance-time", { seconds: "soon" })).status).toBe(400);

    const unknown = await fetch(`${emulator.url}/not-an-intuit-path`);
    expect(unknown.status).toBe(404);
  });

  it("throttles a realm over real HTTP: slow requests hold their slots until answered", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${emulator.url}/__emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    // Unauthenticated requests count as well, so no token is needed: the accepted ones answer 401 after the delay.
    const info = () => fetch(`${emulator.url}/v3/company/${REALM}/companyinfo/${REALM}`, { headers: { accept: "application/json" } });

    await post("reset", {});
    expect((await post("limits", { concurrent: 2, retryAfterSeconds: 1 })).status).toBe(200);
    await post("faults", { target: "api", delayMs: 300, times: 2 });
    const responses = await Promise.all([info(), info(), info()]);
    expect(responses.map((r) => r.status).sort()).toEqual([401, 401, 429]);
    const throttled = responses.find((r) => r.status === 429)!;
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(throttled.headers.get("intuit_tid")).toBeTruthy();
    expect(((await throttled.json()) as { fault: { error: { code: string }[] } }).fault.error[0]?.code).toBe("3001");

    const limits = (await (await fetch(`${emulator.url}/__emulator/limits`)).json()) as { realms: Record<string, unknown> };
    expect(limits.realms[REALM]).toEqual({ requests: 3, accepted: 2, throttled: 1, maxInWindow: 2, maxConcurrent: 2 });
    await post("reset", {});
  });
});

describe("npm run emulator", () => {
  it("prints one ready line and exits cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "mocks/intuit/server.ts"], {
      env: { ...process.env, EMULATOR_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("emulator did not start")), 15_000);
        child.stdout.on("data", (chunk: Buffer) => {
          clearTimeout(timer);
          resolve(chunk.toString());
        });
        void exit.then((code) => reject(new Error(`emulator exited with ${code}`)));
      });
      // Without EMULATOR_ORIGIN the origin is localhost on the port actually bound.
      const match = /^Intuit emulator listening on http:\/\/localhost:(\d+) /.exec(line);
      expect(match?.[1]).toBeTruthy();
      const discovery = await fetch(`http://127.0.0.1:${match?.[1]}/.well-known/openid_sandbox_configuration`);
      expect(((await discovery.json()) as { token_endpoint: string }).token_endpoint).toBe(
        `http://localhost:${match?.[1]}/oauth2/v1/tokens/bearer`,
      );
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exit).toBe(0);
  });
});
