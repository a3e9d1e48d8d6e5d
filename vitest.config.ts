import { defineConfig } from "vitest/config";
import { availableParallelism } from "node:os";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // `server-only` throws outside React Server Components; tests run the same modules on plain Node.
      "server-only": path.resolve(import.meta.dirname, "tests/empty.ts"),
    },
  },
  test: {
    environment: "node",
    // Tests by kind: pure units beside their code (lib/x/y.test.ts for lib/x/y.ts); anything that needs a database
    // or the Intuit emulator in tests/: tests/x/y.test.ts when it tests the one module lib/x/y.ts, and
    // tests/<scenario>.test.ts when it follows a path through several (route handlers, sweeps, processes).
    // mocks/ tests the emulator itself.
    include: ["lib/**/*.test.ts", "db/**/*.test.ts", "mocks/**/*.test.ts", "components/**/*.test.{ts,tsx}", "tests/**/*.test.ts"],
    // The fault suite needs the built app and runs on its own (vitest.faults.config.ts, `npm run test:faults`).
    exclude: ["**/node_modules/**", "tests/faults/**"],
    setupFiles: ["tests/setup.ts"],
    globalSetup: ["tests/global-setup.ts"],
    server: { deps: { inline: ["next-auth"] } },
    // Every file gets its own in-memory database; files run in parallel workers. Vitest's default (one worker fewer
    // than the cores) runs one file at a time on a 2-core machine (CI's), where two at a time take a third less.
    pool: "forks",
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
