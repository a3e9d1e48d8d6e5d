import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E } from "./config";
import { consoleHeaders, signIn } from "./fixtures";

/** Every value that must never reach a browser. */
async function secrets(): Promise<string[]> {
  const response = await fetch(`${E2E.emulatorUrl}/__emulator/tokens`);
  const { tokens } = (await response.json()) as { tokens: { token: string }[] };
  return [E2E.clientSecret, E2E.appEnv.AUTH_SECRET, E2E.appEnv.TOKEN_ENCRYPTION_KEY, ...tokens.map((t) => t.token)];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

test("no page, API answer or client bundle holds the client secret, a token or a key", async ({ page }) => {
  const values = await secrets();
  expect(values.length).toBeGreaterThan(4); // the connected tenants' live tokens are among them

  await signIn(page, "admin@acme.test");
  const seen: string[] = [];
  for (const path of [
    "/integrations/quickbooks",
    "/integrations/quickbooks/readiness",
    "/integrations/quickbooks/logs",
    "/integrations/quickbooks/settings",
    "/integrations/quickbooks/api-keys",
    "/integrations/quickbooks/tenants",
    "/integrations/quickbooks/notifications",
    "/quickbooks/disconnected",
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    seen.push(await page.content(), (await response?.text()) ?? "");
  }
  for (const api of ["/api/quickbooks/status", "/api/quickbooks/settings", "/api/quickbooks/notifications", "/api/quickbooks/notifications/endpoints"]) {
    const response = await page.request.get(api);
    expect(response.status(), api).toBe(200);
    seen.push(await response.text());
  }
  const everything = seen.join("\n");
  for (const value of values) expect(everything.includes(value), "a secret reached the browser").toBe(false);

  const bundle = filesUnder(path.resolve(".next/static")).map((file) => readFileSync(file, "utf8"));
  expect(bundle.length).toBeGreaterThan(0);
  for (const value of [E2E.clientSecret, E2E.appEnv.AUTH_SECRET, E2E.appEnv.TOKEN_ENCRYPTION_KEY]) {
    expect(bundle.some((content) => content.includes(value)), "a secret is in the client bundle").toBe(false);
  }
});

for (const email of ["accountant@acme.test", "auditor@acme.test"]) {
  test(`${email} gets 403 from the credentials page and its routes`, async ({ page }) => {
    await signIn(page, email);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" })).toHaveCount(0);
    const response = await page.goto("/integrations/quickbooks/settings");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
    expect((await page.request.get("/api/quickbooks/settings")).status()).toBe(403);
    const put = await page.request.put("/api/quickbooks/settings", {
      headers: await consoleHeaders(page),
      data: { environment: "sandbox", clientId: "someone-elses-id", clientSecret: "someone-elses-secret" },
    });
    expect(put.status()).toBe(403);
    expect((await put.json()).error.code).toBe("forbidden");
  });
}
