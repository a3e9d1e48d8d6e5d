import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

const key = Buffer.alloc(32, 1).toString("base64");
const production = {
  NODE_ENV: "production",
  AUTH_SECRET: "a".repeat(40),
  TOKEN_ENCRYPTION_KEY: key,
  INTUIT_CLIENT_ID: "id",
  INTUIT_CLIENT_SECRET: "secret",
} as const;

describe("parseEnv", () => {
  it("applies the contract's defaults", () => {
    const env = parseEnv({ ...production });
    expect(env.appUrl).toBe("http://localhost:3000");
    expect(env.intuit.environment).toBe("sandbox");
    expect(env.intuit.discoveryUrl).toBe("https://developer.api.intuit.com/.well-known/openid_sandbox_configuration");
    expect(env.intuit.apiBaseUrl).toBe("https://sandbox-quickbooks.api.intuit.com");
    expect(env.intuit.redirectUri).toBe("http://localhost:3000/api/quickbooks/callback");
    expect(env.databaseUrl).toBeUndefined();
    expect(env.pgliteDataDir).toMatch(/\.data\/pglite$/);
  });

  it("runs the background jobs unless QBC_BACKGROUND_JOBS=off", () => {
    expect(parseEnv({ ...production }).backgroundJobs).toBe(true);
    expect(parseEnv({ ...production, QBC_BACKGROUND_JOBS: "on" }).backgroundJobs).toBe(true);
    expect(parseEnv({ ...production, QBC_BACKGROUND_JOBS: "off" }).backgroundJobs).toBe(false);
  });

  it("bounds the renewal concurrency by the database pool: 1 to 8, default 6", () => {
    expect(parseEnv({ ...production }).renewalConcurrency).toBe(6);
    expect(parseEnv({ ...production, QBC_RENEWAL_CONCURRENCY: "8" }).renewalConcurrency).toBe(8);
    for (const bad of ["0", "9", "2.5", "many"]) {
      expect(() => parseEnv({ ...production, QBC_RENEWAL_CONCURRENCY: bad })).toThrow(/QBC_RENEWAL_CONCURRENCY/);
    }
  });

  it("sets PostgreSQL's time limits and the export limits, each tunable within bounds", () => {
    const env = parseEnv({ ...production });
    expect(env.databaseTimeouts).toEqual({ statementMs: 15_000, lockMs: 5_000, idleInTransactionMs: 30_000 });
    expect(env.exports).toEqual({ perProcess: 4, perTenant: 2, idleTimeoutMs: 30_000 });
    const tuned = parseEnv({
      ...production,
      QBC_DB_STATEMENT_TIMEOUT_MS: "60000",
      QBC_DB_LOCK_TIMEOUT_MS: "0",
      QBC_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: "45000",
      QBC_EXPORTS_PER_PROCESS: "1",
      QBC_EXPORT_IDLE_TIMEOUT_MS: "5000",
    });
    expect(tuned.databaseTimeouts).toEqual({ statementMs: 60_000, lockMs: 0, idleInTransactionMs: 45_000 });
    // The per-tenant default never exceeds the process's own limit.
    expect(tuned.exports).toEqual({ perProcess: 1, perTenant: 1, idleTimeoutMs: 5_000 });
    for (const [name, bad] of [
      ["QBC_DB_STATEMENT_TIMEOUT_MS", "-1"],
      ["QBC_DB_LOCK_TIMEOUT_MS", "1.5"],
      ["QBC_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "3600001"],
      ["QBC_EXPORTS_PER_PROCESS", "0"],
      ["QBC_EXPORTS_PER_TENANT", "17"],
      ["QBC_EXPORT_IDLE_TIMEOUT_MS", "50"],
    ] as const) {
      expect(() => parseEnv({ ...production, [name]: bad }), `${name}=${bad}`).toThrow(name);
    }
    expect(() => parseEnv({ ...production, QBC_EXPORTS_PER_PROCESS: "2", QBC_EXPORTS_PER_TENANT: "3" })).toThrow(/QBC_EXPORTS_PER_TENANT/);
  });

  it("uses Intuit's production hosts for the production environment", () => {
    const env = parseEnv({ ...production, INTUIT_ENVIRONMENT: "production", APP_URL: "https://connect.example.com/" });
    expect(env.intuit.discoveryUrl).toBe("https://developer.api.intuit.com/.well-known/openid_configuration");
    expect(env.intuit.apiBaseUrl).toBe("https://quickbooks.api.intuit.com");
    expect(env.intuit.redirectUri).toBe("https://connect.example.com/api/quickbooks/callback");
  });

  it("points at the local emulator in development when no Intuit app is configured", () => {
    const env = parseEnv({ NODE_ENV: "development", AUTH_SECRET: "a".repeat(40), TOKEN_ENCRYPTION_KEY: key });
    expect(env.intuit.usesEmulator).toBe(true);
    expect(env.intuit.discoveryUrl).toBe("http://localhost:4010/.well-known/openid_sandbox_configuration");
  });

  it("lets production run without platform credentials: each tenant's admin brings an Intuit app", () => {
    const env = parseEnv({ ...production, INTUIT_CLIENT_ID: undefined, INTUIT_CLIENT_SECRET: undefined });
    expect(env.intuit).toMatchObject({ clientId: "", clientSecret: "", usesEmulator: false });
  });

  it.each([
    [{ INTUIT_ENVIRONMENT: "staging" }, /INTUIT_ENVIRONMENT/],
    [{ APP_URL: "not a url" }, /APP_URL/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL/],
    [{ TOKEN_ENCRYPTION_KEY: "c2hvcnQ=" }, /TOKEN_ENCRYPTION_KEY: must be 32 bytes/],
    [{ AUTH_SECRET: "short" }, /AUTH_SECRET/],
    [{ INTUIT_DISCOVERY_URL: "::" }, /INTUIT_DISCOVERY_URL/],
    [{ AUTH_SECRET: undefined }, /AUTH_SECRET is required in production/],
    [{ TOKEN_ENCRYPTION_KEY: undefined }, /TOKEN_ENCRYPTION_KEY is required in production/],
    [{ INTUIT_CLIENT_SECRET: undefined }, /INTUIT_CLIENT_SECRET is required/],
    [{ QBC_BACKGROUND_JOBS: "no" }, /QBC_BACKGROUND_JOBS/],
  ])("stops on a bad value and names it: %o", (override, message) => {
    expect(() => parseEnv({ ...production, ...override })).toThrow(EnvError);
    expect(() => parseEnv({ ...production, ...override })).toThrow(message);
  });
});
