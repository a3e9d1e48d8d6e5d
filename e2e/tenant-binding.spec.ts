import { expect, test } from "@playwright/test";
import { connectFresh, signIn, switchTenant } from "./fixtures";

// Every change names its tenant (contract, "Tenant binding"): a console tab keeps the tenant it was rendered for, and
// once the session acts for another tenant (switched in another tab), the tab's requests are refused with a message
// that says which tenant the page is for, instead of acting on the other tenant.
test("a tab rendered for Acme cannot disconnect anything once the session moved to Globex, and says to reload", async ({ page, context }) => {
  await signIn(page, "admin@acme.test"); // an admin of both tenants: the session starts on Acme Field Services
  await connectFresh(page);
  await expect(page.getByTestId("connection-status")).toHaveText("active");

  const other = await context.newPage();
  await other.goto("/integrations/quickbooks");
  await switchTenant(other, "Globex Logistics (admin)");

  // Back in the Acme tab, which still shows Acme's connection and its Disconnect button.
  await page.getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Disconnect" }).click();
  const alert = page.getByTestId("tenant-mismatch");
  await expect(alert).toContainText("This page is for Acme Field Services, but your session now acts for Globex Logistics.");
  await expect(alert).toContainText("Reload to continue.");

  // Nothing was disconnected: Acme is still connected.
  await switchTenant(other, "Acme Field Services (admin)");
  await expect(other.getByTestId("connection-status")).toHaveText("active");

  // Reload brings the stale tab to the session's tenant, where its buttons work again.
  await alert.getByRole("button", { name: "Reload" }).click();
  await expect(page.getByTestId("tenant-mismatch")).toHaveCount(0);
  await expect(page.getByTestId("connection-status")).toHaveText("active");
});
