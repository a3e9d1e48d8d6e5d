import { expect, test } from "@playwright/test";
import { E2E } from "./config";
import { resetEmulator, signIn, stepsOf } from "./fixtures";

test.beforeEach(async () => {
  await resetEmulator();
});

test("cancelling at Intuit shows why and leaves the connection unconnected (before any connection)", async ({ page }) => {
  await signIn(page, "accountant@acme.test");
  await page.getByRole("link", { name: "Connect to QuickBooks" }).click();
  await expect(page).toHaveURL(new RegExp(`^${E2E.emulatorUrl}/connect/oauth2`));
  await page.getByRole("button", { name: "Cancel" }).click();

  await expect(page).toHaveURL(/\/integrations\/quickbooks\?callback=access_denied/);
  await expect(page.getByTestId("callback-message")).toContainText("cancelled at Intuit");
  const callback = stepsOf(page).nth(1);
  await expect(callback).toHaveAttribute("data-state", "failed");
  await expect(callback).toContainText("cancelled at Intuit");
  await expect(stepsOf(page).nth(3)).toHaveAttribute("data-state", "not_started");
  await expect(page.getByTestId("sync-indicator")).toHaveAttribute("data-state", "red");
  await expect(page.getByRole("link", { name: "Connect to QuickBooks" })).toBeVisible();
});

test("an accountant connects QuickBooks: Auth, Callback, Verify and Connect all done, indicator green", async ({ page }) => {
  await signIn(page, "accountant@acme.test");

  const indicator = page.getByTestId("sync-indicator");
  await expect(indicator).toHaveAttribute("data-state", "red");
  await expect(indicator).toHaveAttribute("role", "status");
  await expect(stepsOf(page)).toHaveCount(4);

  await page.getByRole("link", { name: "Connect to QuickBooks" }).click();

  // Intuit's consent page (the emulator): pick a company and connect.
  await expect(page).toHaveURL(new RegExp(`^${E2E.emulatorUrl}/connect/oauth2`));
  await page.getByRole("radio").first().check();
  await page.getByRole("button", { name: "Connect", exact: true }).click();

  await expect(page).toHaveURL(/\/integrations\/quickbooks\?callback=connected/);
  await expect(page.getByTestId("callback-message")).toContainText("connected and verified");
  const steps = stepsOf(page);
  for (const [index, name] of ["Auth", "Callback", "Verify", "Connect"].entries()) {
    await expect(steps.nth(index)).toHaveAttribute("data-step", name);
    await expect(steps.nth(index)).toHaveAttribute("data-state", "done");
    await expect(steps.nth(index).locator("time")).toBeVisible();
  }
  await expect(indicator).toHaveAttribute("data-state", "green");
  await expect(page.getByTestId("company-name")).not.toHaveText("Not verified yet");
  await expect(page.getByTestId("realm-id")).toHaveText(/^\d+$/);
  // Intuit's rule: once connected, the Connect button is gone.
  await expect(page.getByRole("link", { name: "Connect to QuickBooks" })).toHaveCount(0);

  await page.getByRole("button", { name: "Verify connection" }).click();
  await expect(page.getByText(/Verified: .+ answered/)).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download company verify file" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^quickbooks-verify-\d+-\d{4}-\d{2}-\d{2}\.json$/);
  const evidence = JSON.parse(await (await import("node:fs/promises")).readFile((await file.path())!, "utf8"));
  expect(evidence).toMatchObject({ realmId: expect.stringMatching(/^\d+$/), environment: "sandbox" });
  expect(JSON.stringify(evidence)).not.toMatch(/token/i);
  await page.screenshot({ path: "test-results/connected-console.png", fullPage: true });
});

test("an auditor sees the status but no connect or verify actions", async ({ page }) => {
  await signIn(page, "auditor@acme.test");
  await expect(page.getByTestId("sync-indicator")).toBeVisible();
  await expect(page.getByRole("link", { name: "Connect to QuickBooks" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Verify connection" })).toHaveCount(0);
});

test("a wrong password gets a readable error", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("accountant@acme.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The email or password is not correct.")).toBeVisible();
});

test("an admin of two tenants switches tenant and sees the other tenant's connection", async ({ page }) => {
  await signIn(page, "admin@acme.test");
  const switcher = page.getByLabel("Tenant");
  await expect(switcher.locator("option:checked")).toHaveText(/Acme Field Services/);
  await switcher.selectOption({ label: "Globex Logistics (admin)" });
  await page.getByRole("button", { name: "Switch" }).click();
  await expect(page.getByText("Connect Globex Logistics to its QuickBooks Online company")).toBeVisible();
  await expect(page.getByLabel("Tenant").locator("option:checked")).toHaveText(/Globex Logistics/);
});
