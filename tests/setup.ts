// Shared set-up for every Vitest file: a fixed test configuration.
process.env.NEXT_TELEMETRY_DISABLED = "1";
