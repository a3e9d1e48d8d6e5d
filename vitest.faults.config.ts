import { defineConfig } from "vitest/config";
import base from "./vitest.config";

// The fault suite (`npm run test:faults`): the built app and real processes broken on purpose (PostgreSQL going
// away, Intuit slow or failing, processes killed mid-work, a soak across two instances). It needs `next build` first
// and runs one file at a time: the files start servers and measure memory, which parallel files would disturb.
// Spread rather than mergeConfig: mergeConfig concatenates arrays, so the base config's exclusion of tests/faults/**
// would stay and no file would run.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["tests/faults/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
