import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures";

test("an admin reads the callback and refresh-token logs, with no token in the page", async ({ page }) => {
  // Runs after the connect and lifecycle specs, which left callbacks and renewals for Acme.
  await signIn(page, "admin@acme.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Logs" }).click();
  const callbacks = page.getByRole("table", { name: "Callback log" });
  await expect(callbacks.getByRole("row").nth(1)).toBeVisible();
  await expect(callbacks).toContainText("Authorization code exchanged");
  const refreshes = page.getByRole("table", { name: "Refresh-token log" });
  await expect(refreshes).toContainText("Manual");
  await expect(refreshes).toContainText("After a 401");
  const html = await page.content();
  expect(html).not.toMatch(/"(access|refresh)_token"/);
});

test("an accountant is told the logs are not for their role", async ({ page }) => {
  await signIn(page, "accountant@acme.test");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Logs" })).toHaveCount(0);
  const response = await page.goto("/integrations/quickbooks/logs");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
});
