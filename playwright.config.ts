import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { E2E } from "./e2e/config";

// Debian's Chromium where it is installed (CI and this project's machines); Playwright's own browser elsewhere.
const debianChromium = "/usr/bin/chromium";

const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: existsSync(debianChromium) ? debianChromium : undefined,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  },
};

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: E2E.appUrl,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      // Moves Acme to its production company for good: run by "after-all" below, once every other spec is done.
      testIgnore: /production-move\.spec\.ts$/,
      use: chromium,
    },
    {
      name: "after-all",
      testMatch: /production-move\.spec\.ts$/,
      dependencies: ["chromium"],
      use: chromium,
    },
  ],
  webServer: [
    {
      command: "node --import tsx mocks/intuit/server.ts",
      url: `${E2E.emulatorUrl}/.well-known/openid_sandbox_configuration`,
      env: { ...E2E.emulatorEnv },
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: "node --import tsx --conditions=react-server mocks/mail/server.ts",
      url: E2E.mailUrl,
      env: { ...E2E.mailEnv },
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: "node --import tsx e2e/start-app.ts",
      url: `${E2E.appUrl}/login`,
      reuseExistingServer: false,
      timeout: 120_000,
    },
  ],
});
