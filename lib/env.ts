import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The product's configuration, validated once with zod (see the contract's configuration table).
 * A bad value stops start-up with a message naming the variable.
 */

const INTUIT_DISCOVERY = {
  sandbox: "https://developer.api.intuit.com/.well-known/openid_sandbox_configuration",
  production: "https://developer.api.intuit.com/.well-known/openid_configuration",
} as const;
const QBO_API_BASE = {
  sandbox: "https://sandbox-quickbooks.api.intuit.com",
  production: "https://quickbooks.api.intuit.com",
} as const;

/** The local Intuit emulator's credentials (mocks/intuit), used in development when no Intuit app is configured. */
export const EMULATOR_CLIENT_ID = "emulator-client-id";
export const EMULATOR_CLIENT_SECRET = "emulator-client-secret";
export const EMULATOR_WEBHOOK_VERIFIER_TOKEN = "emulator-webhook-verifier-token";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
const optionalUrl = optionalString.pipe(z.url().optional());
const base64Key = z
  .string()
  .trim()
  .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes encoded in base64");

/**
 * Token renewals in flight at once per instance (QBC_RENEWAL_CONCURRENCY), every trigger together: the sweep, "Renew
 * token", and API calls finding an expiring token (lib/quickbooks/client/renewal-slots.ts). A renewal holds no database
 * connection while Intuit answers (its lease, renewal-lease.ts), only for its two short transactions, so the cap bounds
 * the load on Intuit's token endpoint and keeps renewals below the pool's 10 connections even at their busiest.
 */
export const DEFAULT_RENEWAL_CONCURRENCY = 6;
export const MAX_RENEWAL_CONCURRENCY = 8;

/**
 * PostgreSQL's limits on every session of the app's request pool (db/client.ts), in milliseconds (README, Operations,
 * "The database pool cannot be starved"). 0 sends nothing: the server's, database's or role's setting applies.
 * - statement_timeout 15 s: the slowest statements the product sends (the tenants page and the status statement at
 *   10,000 tenants, a 5,000-row retention delete) take well under a second; one that runs for 15 s is a bad plan or a
 *   lock queue, and cancelling it gives its connection back to the other requests.
 * - lock_timeout 5 s: the product's row and advisory locks are held for milliseconds; waiting longer means a
 *   transaction is stuck, and the waiter should answer "try again" rather than hold a connection in the queue.
 * - idle_in_transaction_session_timeout 30 s: nothing of the product waits on anything but the database inside a
 *   transaction (a renewal calls Intuit between two short ones), so a session idle that long in a transaction is a
 *   leak; PostgreSQL ends it, releasing its locks and its connection. 30 s leaves room for a slow page's statements.
 */
export const DEFAULT_DATABASE_TIMEOUTS = { statementMs: 15_000, lockMs: 5_000, idleInTransactionMs: 30_000 } as const;
/** The largest value accepted for a database time limit: one hour. */
const MAX_DATABASE_TIMEOUT_MS = 3_600_000;

/**
 * CSV exports (lib/logs/export-response.ts): at most 4 at a time per process (the size of the export pool, apart
 * from the request pool) and 2 per tenant (one person downloading two logs side by side; a third waits for one of them);
 * a client that takes no bytes for 30 s is cut (a download on a slow link still takes a 64 KB chunk far more often).
 */
export const DEFAULT_EXPORT_LIMITS = { perProcess: 4, perTenant: 2, idleTimeoutMs: 30_000 } as const;
const MAX_EXPORTS_PER_PROCESS = 16;

/** An optional whole number from `min` to `max` (an environment variable). */
const wholeNumberIn = (min: number, max: number) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  );

const rawSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  PGLITE_DATA_DIR: optionalString,
  PGLITE_TEMPLATE: optionalString,
  APP_URL: optionalUrl,
  AUTH_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  TOKEN_ENCRYPTION_KEY: optionalString.pipe(base64Key.optional()),
  TOKEN_ENCRYPTION_PREVIOUS_KEYS: optionalString,
  INTUIT_ENVIRONMENT: optionalString.pipe(z.enum(["sandbox", "production"]).optional()),
  INTUIT_CLIENT_ID: optionalString,
  INTUIT_CLIENT_SECRET: optionalString,
  INTUIT_DISCOVERY_URL: optionalUrl,
  QBO_API_BASE_URL: optionalUrl,
  INTUIT_WEBHOOK_VERIFIER_TOKEN: optionalString,
  INTUIT_REDIRECT_URI: optionalUrl,
  EMULATOR_URL: optionalUrl,
  QBC_BACKGROUND_JOBS: optionalString.pipe(z.enum(["on", "off"]).optional()),
  QBC_RENEWAL_CONCURRENCY: optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_RENEWAL_CONCURRENCY}`)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_RENEWAL_CONCURRENCY))
      .optional(),
  ),
  QBC_DB_STATEMENT_TIMEOUT_MS: wholeNumberIn(0, MAX_DATABASE_TIMEOUT_MS),
  QBC_DB_LOCK_TIMEOUT_MS: wholeNumberIn(0, MAX_DATABASE_TIMEOUT_MS),
  QBC_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: wholeNumberIn(0, MAX_DATABASE_TIMEOUT_MS),
  QBC_EXPORTS_PER_PROCESS: wholeNumberIn(1, MAX_EXPORTS_PER_PROCESS),
  QBC_EXPORTS_PER_TENANT: wholeNumberIn(1, MAX_EXPORTS_PER_PROCESS),
  QBC_EXPORT_IDLE_TIMEOUT_MS: wholeNumberIn(100, MAX_DATABASE_TIMEOUT_MS),
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\/[^/]+/, "must be an smtp:// or smtps:// URL")
      .optional(),
  ),
  MAIL_FROM: optionalString.pipe(z.string().max(200).optional()),
  QBC_NOTIFICATIONS: optionalString.pipe(z.enum(["on", "off"]).optional()),
  QBC_WEBHOOKS_PRIVATE_NETWORK: optionalString.pipe(z.enum(["allow", "refuse"]).optional()),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
});

/** The local mail catcher `npm run dev` starts (mocks/mail): development mail goes there, never off the machine. */
export const DEV_MAIL_CATCHER = { smtpPort: 1025, webPort: 1080 } as const;
export const DEV_MAIL_FROM = "QuickBooks Connect <no-reply@localhost>";

export type IntuitEnvironment = "sandbox" | "production";

export interface Env {
  isProduction: boolean;
  databaseUrl: string | undefined;
  pgliteDataDir: string;
  /**
   * A dump of an already migrated PGlite database that an in-memory one starts from (PGLITE_TEMPLATE): the test suite's,
   * so that each test file does not run every migration again in WebAssembly (about 5 s each).
   */
  pgliteTemplate: string | undefined;
  appUrl: string;
  authSecret: string;
  tokenEncryptionKey: string;
  tokenEncryptionPreviousKeys: string[];
  /** Token renewal and revocation retries in the background (lib/jobs); QBC_BACKGROUND_JOBS=off turns them off. */
  backgroundJobs: boolean;
  /** Token renewals the background sweep runs at once in this process (QBC_RENEWAL_CONCURRENCY). */
  renewalConcurrency: number;
  /** PostgreSQL's time limits on the request pool's sessions, in ms (QBC_DB_*_TIMEOUT_MS; 0: the server's setting). */
  databaseTimeouts: { statementMs: number; lockMs: number; idleInTransactionMs: number };
  /** Email notifications: the SMTP server (null: no email, which the notifications page says) and the sender. */
  mail: { smtpUrl: string | null; from: string };
  /** The notification sender's loop in this process (QBC_NOTIFICATIONS=off turns it off). */
  notificationSender: boolean;
  /**
   * Outbound webhook endpoints must be public HTTPS addresses (no loopback, private or link-local one, checked when
   * each delivery connects) in production, unless QBC_WEBHOOKS_PRIVATE_NETWORK=allow: a deployment whose AWRA
   * systems listen on its own private network, and the browser tests' local receiver.
   */
  webhooksPublicOnly: boolean;
  /** The bearer token GET /api/metrics asks for; null: the endpoint is off (404). */
  metricsToken: string | null;
  /** CSV exports at once per process and per tenant, and how long a client may take no bytes before it is cut. */
  exports: { perProcess: number; perTenant: number; idleTimeoutMs: number };
  intuit: {
    environment: IntuitEnvironment;
    clientId: string;
    clientSecret: string;
    discoveryUrl: string;
    apiBaseUrl: string;
    redirectUri: string;
    webhookVerifierToken: string | undefined;
    /** True when the app talks to the local emulator rather than Intuit. */
    usesEmulator: boolean;
    emulatorUrl: string;
    /** A local emulator is there to drive (development, or EMULATOR_URL set for tests): "Send test webhook" uses it. */
    emulatorAvailable: boolean;
  };
}

function defaultEndpoints(environment: IntuitEnvironment, usesEmulator: boolean, emulatorUrl: string) {
  if (usesEmulator) {
    const doc = environment === "sandbox" ? "openid_sandbox_configuration" : "openid_configuration";
    return { discoveryUrl: `${emulatorUrl}/.well-known/${doc}`, apiBaseUrl: emulatorUrl };
  }
  return { discoveryUrl: INTUIT_DISCOVERY[environment], apiBaseUrl: QBO_API_BASE[environment] };
}

/**
 * Intuit's endpoints for an environment: the configured ones for the platform's environment, Intuit's own for the
 * other, or the emulator's wherever one is there to play Intuit (development, or EMULATOR_URL set: the browser tests
 * move a tenant from its sandbox company to its production company on the emulator). Never taken from request input.
 */
export function intuitEndpointsFor(config: Env, environment: IntuitEnvironment): { discoveryUrl: string; apiBaseUrl: string } {
  if (environment === config.intuit.environment) return { discoveryUrl: config.intuit.discoveryUrl, apiBaseUrl: config.intuit.apiBaseUrl };
  return defaultEndpoints(environment, config.intuit.emulatorAvailable, config.intuit.emulatorUrl);
}

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvError";
  }
}

/** Secrets that development may generate once and keep in `.data/`; production must be given them. */
function devSecret(name: "AUTH_SECRET" | "TOKEN_ENCRYPTION_KEY", dataDir: string): string {
  const file = path.join(dataDir, "dev-secrets.json");
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const existing = stored[name];
  if (existing) return existing;
  const value = randomBytes(32).toString("base64");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ ...stored, [name]: value }, null, 2), { mode: 0o600 });
  return value;
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const result = rawSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new EnvError(`Invalid configuration: ${problems}`);
  }
  const raw = result.data;
  const isProduction = raw.NODE_ENV === "production";
  const dataDir = path.resolve(process.cwd(), ".data");

  const required = (name: "AUTH_SECRET" | "TOKEN_ENCRYPTION_KEY", value: string | undefined) => {
    if (value) return value;
    if (isProduction) throw new EnvError(`Invalid configuration: ${name} is required in production`);
    return devSecret(name, dataDir);
  };

  const appUrl = (raw.APP_URL ?? "http://localhost:3000").replace(/\/$/, "");
  const environment = raw.INTUIT_ENVIRONMENT ?? "sandbox";
  // Development without an Intuit app talks to the local emulator. Production without one is a platform whose
  // tenants each bring their own Intuit app (entered by their admins in the console).
  const usesEmulator = !raw.INTUIT_CLIENT_ID && !isProduction;
  if (raw.INTUIT_CLIENT_ID && !raw.INTUIT_CLIENT_SECRET) {
    throw new EnvError("Invalid configuration: INTUIT_CLIENT_SECRET is required when INTUIT_CLIENT_ID is set");
  }
  if (isProduction && raw.SMTP_URL && !raw.MAIL_FROM) {
    throw new EnvError("Invalid configuration: MAIL_FROM is required in production when SMTP_URL is set (the sender of notification emails)");
  }
  const emulatorUrl = (raw.EMULATOR_URL ?? "http://localhost:4010").replace(/\/$/, "");
  const exportsPerProcess = raw.QBC_EXPORTS_PER_PROCESS ?? DEFAULT_EXPORT_LIMITS.perProcess;
  const exportsPerTenant = raw.QBC_EXPORTS_PER_TENANT ?? Math.min(DEFAULT_EXPORT_LIMITS.perTenant, exportsPerProcess);
  if (exportsPerTenant > exportsPerProcess) {
    throw new EnvError("Invalid configuration: QBC_EXPORTS_PER_TENANT must not exceed QBC_EXPORTS_PER_PROCESS");
  }

  return {
    isProduction,
    databaseUrl: raw.DATABASE_URL,
    pgliteDataDir: raw.PGLITE_DATA_DIR ?? path.join(dataDir, "pglite"),
    pgliteTemplate: raw.PGLITE_TEMPLATE,
    appUrl,
    authSecret: required("AUTH_SECRET", raw.AUTH_SECRET),
    tokenEncryptionKey: required("TOKEN_ENCRYPTION_KEY", raw.TOKEN_ENCRYPTION_KEY),
    tokenEncryptionPreviousKeys: (raw.TOKEN_ENCRYPTION_PREVIOUS_KEYS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean)
      .map((k, i) => {
        if (Buffer.from(k, "base64").length !== 32) {
          throw new EnvError(`Invalid configuration: TOKEN_ENCRYPTION_PREVIOUS_KEYS entry ${i + 1} must be 32 bytes in base64`);
        }
        return k;
      }),
    backgroundJobs: raw.QBC_BACKGROUND_JOBS !== "off",
    renewalConcurrency: raw.QBC_RENEWAL_CONCURRENCY ?? DEFAULT_RENEWAL_CONCURRENCY,
    databaseTimeouts: {
      statementMs: raw.QBC_DB_STATEMENT_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.statementMs,
      lockMs: raw.QBC_DB_LOCK_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.lockMs,
      idleInTransactionMs: raw.QBC_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS ?? DEFAULT_DATABASE_TIMEOUTS.idleInTransactionMs,
    },
    mail: {
      smtpUrl: raw.SMTP_URL ?? (isProduction ? null : `smtp://127.0.0.1:${DEV_MAIL_CATCHER.smtpPort}`),
      from: raw.MAIL_FROM ?? DEV_MAIL_FROM,
    },
    notificationSender: raw.QBC_NOTIFICATIONS !== "off",
    webhooksPublicOnly: isProduction && raw.QBC_WEBHOOKS_PRIVATE_NETWORK !== "allow",
    metricsToken: raw.METRICS_TOKEN ?? null,
    exports: {
      perProcess: exportsPerProcess,
      perTenant: exportsPerTenant,
      idleTimeoutMs: raw.QBC_EXPORT_IDLE_TIMEOUT_MS ?? DEFAULT_EXPORT_LIMITS.idleTimeoutMs,
    },
    intuit: {
      environment,
      clientId: raw.INTUIT_CLIENT_ID ?? (usesEmulator ? EMULATOR_CLIENT_ID : ""),
      clientSecret: raw.INTUIT_CLIENT_SECRET ?? (usesEmulator ? EMULATOR_CLIENT_SECRET : ""),
      discoveryUrl: raw.INTUIT_DISCOVERY_URL ?? defaultEndpoints(environment, usesEmulator, emulatorUrl).discoveryUrl,
      apiBaseUrl: (raw.QBO_API_BASE_URL ?? defaultEndpoints(environment, usesEmulator, emulatorUrl).apiBaseUrl).replace(/\/$/, ""),
      redirectUri: raw.INTUIT_REDIRECT_URI ?? `${appUrl}/api/quickbooks/callback`,
      webhookVerifierToken: raw.INTUIT_WEBHOOK_VERIFIER_TOKEN ?? (usesEmulator ? EMULATOR_WEBHOOK_VERIFIER_TOKEN : undefined),
      usesEmulator,
      emulatorUrl,
      emulatorAvailable: usesEmulator || raw.EMULATOR_URL !== undefined,
    },
  };
}

let cached: Env | undefined;

/** The validated configuration, read once per process. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests change the environment between cases. */
export function resetEnvForTests(): void {
  cached = undefined;
}
