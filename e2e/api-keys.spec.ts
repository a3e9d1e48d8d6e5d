import { expect, request, test } from "@playwright/test";
import { E2E } from "./config";
import { signIn } from "./fixtures";

test("an admin creates an API key, sees it once, another system uses it, and revoking it stops it", async ({ page }) => {
  await signIn(page, "admin@acme.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();

  const name = `Monitoring ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByRole("checkbox", { name: /status:read/ }).check();
  const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Expires on").fill(expiry);
  await page.getByRole("button", { name: "Create key" }).click();

  await expect(page.getByText("you won't see it again", { exact: false })).toBeVisible();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^qbc_live_[a-z2-9]{8}_[A-Za-z0-9_-]{43}$/);

  // Another system: no cookies at all, only the key.
  const client = await request.newContext({ baseURL: E2E.appUrl });
  const status = await client.get("/api/quickbooks/status", { headers: { authorization: `Bearer ${key}` } });
  expect(status.status()).toBe(200);
  expect(await status.json()).toHaveProperty("indicator");
  expect((await client.get("/api/quickbooks/settings", { headers: { authorization: `Bearer ${key}` } })).status()).toBe(403);

  // Once dismissed, the key is gone from the page; the list shows only its prefix.
  await page.getByRole("button", { name: "I have stored it" }).click();
  await page.reload();
  expect(await page.content()).not.toContain(key);
  const row = page.getByTestId("api-key-row").filter({ hasText: name });
  await expect(row).toHaveAttribute("data-status", "active");
  await expect(row).toContainText(key.split("_").slice(0, 3).join("_"));

  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toHaveAttribute("data-status", "revoked");

  const after = await client.get("/api/quickbooks/status", { headers: { authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.code).toBe("invalid_api_key");
  await client.dispose();
});

test("the API keys page is for admins only", async ({ page }) => {
  await signIn(page, "auditor@acme.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" })).toHaveCount(0);
  const response = await page.goto("/integrations/quickbooks/api-keys");
  expect(response?.status()).toBe(403);
});
