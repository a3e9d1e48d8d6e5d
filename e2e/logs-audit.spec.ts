// Named to run after connect.spec.ts (Playwright runs files in name order), whose callbacks it reads.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { signIn } from "./fixtures";

test("the auditor filters the callback log, exports it, and the download holds exactly the rows shown", async ({ page }) => {
  // The connect spec ran first: Acme has a cancelled callback (access_denied) and successful ones.
  await signIn(page, "auditor@acme.test");
  await page.goto("/integrations/quickbooks/logs");
  const section = page.locator("section#callback-log");
  await section.getByLabel("Outcome").selectOption("failure");
  await section.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/log=callback.*outcome=failure/);

  const table = page.getByRole("table", { name: "Callback log" });
  const rows = table.locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const shown = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({
      id: tr.getAttribute("data-id"),
      outcome: tr.querySelector('[data-column="outcome"]')?.textContent ?? "",
      code: tr.querySelector('[data-column="code"]')?.textContent ?? "",
      message: tr.querySelector('[data-column="message"]')?.textContent ?? "",
      time: tr.querySelector('[data-column="time"] time')?.getAttribute("datetime") ?? "",
    })),
  );
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.every((r) => r.outcome === "failure")).toBe(true);
  expect(shown.map((r) => r.code)).toContain("access_denied");

  const downloading = page.waitForEvent("download");
  await section.getByRole("link", { name: /Export CSV/ }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^quickbooks-callback-log-\d{8}T\d{6}Z\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  const exported = parse(csv, { columns: true }) as Record<string, string>[];
  const neutralised = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  expect(exported.map((r) => ({ id: r.id, outcome: r.outcome, code: r.code, message: r.message, time: r.time }))).toEqual(
    shown.map((r) => ({ ...r, code: neutralised(r.code), message: neutralised(r.message) })),
  );
});
