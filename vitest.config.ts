import { defineConfig } from "vitest/config";
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
    include: ["lib/**/*.test.ts", "db/**/*.test.ts", "mocks/**/*.test.ts", "tests/**/*.test.ts"],
    // The fault suite needs the built app and runs on its own (vitest.faults.config.ts, `npm run test:faults`).
    exclude: ["**/node_modules/**", "tests/faults/**"],
    setupFiles: ["tests/setup.ts"],
    server: { deps: { inline: ["next-auth"] } },
    // Every file gets its own in-memory database; files run in parallel workers.
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
