// "Never log credentials or QuickBooks data" (intuit.md §7): everything the app writes to the console or to stdout and
// stderr during a whole connection's life, failures included, is searched for every secret it handled.
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...nextauth]/route";
import { GET as callbackRoute } from "@/app/api/quickbooks/callback/route";
import { GET as connectRoute } from "@/app/api/quickbooks/connect/route";
import { POST as disconnectRoute } from "@/app/api/quickbooks/disconnect/route";
import { POST as refreshRoute } from "@/app/api/quickbooks/refresh/route";
import { PUT as putSettings } from "@/app/api/quickbooks/settings/route";
import { POST as verifyRoute } from "@/app/api/quickbooks/verify/route";
import { completeConsent } from "@/mocks/intuit/node";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { useTestDatabase } from "./database";
import { appRequest, sessionCookie } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const output: string[] = [];
const restore: (() => void)[] = [];

beforeAll(() => {
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack} ${JSON.stringify(a.cause ?? null)}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
    restore.push(() => spy.mockRestore());
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return write(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = write as typeof stream.write));
  }
});
afterAll(() => restore.forEach((undo) => undo()));

function post(path: string, cookie: string, body?: unknown): Request {
  const base = appRequest(path, { method: "POST", cookie });
  if (body === undefined) return base;
  const headers = new Headers(base.headers);
  headers.set("content-type", "application/json");
  return new Request(base, { body: JSON.stringify(body), headers });
}

describe("no secret is ever written to a log", () => {
  it("captures what the app writes (the check below would see a logged secret)", () => {
    console.error("capture-check-console");
    process.stderr.write("capture-check-stderr\n");
    expect(output.join("\n")).toMatch(/capture-check-console[\s\S]*capture-check-stderr/);
  });

  it("through sign-in, settings, connect, renewals, verify, failures and disconnect", async () => {
    const secrets = new Set<string>([
      process.env.AUTH_SECRET!,
      process.env.TOKEN_ENCRYPTION_KEY!,
      process.env.INTUIT_CLIENT_SECRET!,
      "tenant-own-client-secret-0042",
      "a-wrong-password-guess",
    ]);

    // A failed sign-in (the password must not appear, even in Auth.js's error path).
    const csrf = await authGet(new NextRequest("http://localhost:3000/api/auth/csrf"));
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookieHeader = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    await authPost(
      new NextRequest("http://localhost:3000/api/auth/callback/credentials", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader },
        body: new URLSearchParams({ email: "admin@acme.test", password: "a-wrong-password-guess", csrfToken }),
      }),
    );

    // A tenant admin enters credentials for the other environment (write-only secret).
    const admin = await sessionCookie("admin@acme.test");
    const saved = await putSettings(
      new Request(post("/api/quickbooks/settings", admin, { environment: "production", clientId: "tenant-own-client-id", clientSecret: "tenant-own-client-secret-0042" }), { method: "PUT" }),
    );
    expect(saved.status).toBe(200);
    expect((await putSettings(new Request(post("/api/quickbooks/settings", admin, { environment: "sandbox" }), { method: "PUT" }))).status).toBe(200);

    // Connect: the authorization code and the tokens.
    const cookie = await sessionCookie("accountant@acme.test");
    const start = await connectRoute(appRequest("/api/quickbooks/connect", { cookie }));
    const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
    secrets.add(state);
    const redirect = await completeConsent(start.headers.get("location")!, { realmId: "9341452000000001" });
    secrets.add(redirect.searchParams.get("code")!);
    await callbackRoute(appRequest(`/api/quickbooks/callback${redirect.search}`, { cookie }));
    for (const t of intuit.emulator.activeTokens()) secrets.add(t.token);

    // Renewals, good and bad, and a verify that meets an expired token.
    expect((await refreshRoute(post("/api/quickbooks/refresh", cookie))).status).toBe(200);
    for (const t of intuit.emulator.activeTokens()) secrets.add(t.token);
    intuit.emulator.injectFault({ target: "token", error: "invalid_client", times: 5 });
    await refreshRoute(post("/api/quickbooks/refresh", cookie));
    intuit.emulator.injectFault({ target: "api", status: 500, times: 5 });
    await verifyRoute(post("/api/quickbooks/verify", cookie));
    intuit.emulator.injectFault({ target: "api", status: 401, times: 5 });
    await verifyRoute(post("/api/quickbooks/verify", cookie));
    for (const t of intuit.emulator.activeTokens()) secrets.add(t.token);

    // Disconnect, with Intuit's revocation failing first.
    intuit.emulator.injectFault({ target: "revoke", status: 503, times: 5 });
    await disconnectRoute(post("/api/quickbooks/disconnect", cookie));

    expect(secrets.size).toBeGreaterThan(8);
    const logged = output.join("\n");
    for (const secret of secrets) expect(logged.includes(secret), `a secret (${secret.slice(0, 4)}…) was logged`).toBe(false);
  });
});
