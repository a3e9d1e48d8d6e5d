import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures";

test("an admin sends a test webhook from the console and sees it in the delivery log", async ({ page }) => {
  // Acme was connected by the earlier specs.
  await signIn(page, "admin@acme.test");
  await page.getByRole("button", { name: "Send test webhook" }).click();
  await expect(page.getByText("the endpoint answered 200 OK")).toBeVisible();
  await expect(page.getByTestId("webhook-health")).toContainText("Events received");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Logs" }).click();
  const log = page.getByRole("table", { name: "Webhook delivery log" });
  const row = log.getByRole("row").nth(1);
  await expect(row).toContainText("accepted");
  await expect(row).toContainText("valid");
  await expect(row).toContainText("cloudevents");
  await expect(row).toContainText("200");
});
