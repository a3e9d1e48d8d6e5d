/** One place for the browser tests' ports, URLs and credentials. */
const appPort = 3100;
const emulatorPort = 4110;
const appUrl = `http://localhost:${appPort}`;
const emulatorUrl = `http://localhost:${emulatorPort}`;

export const E2E = {
  appPort,
  emulatorPort,
  appUrl,
  emulatorUrl,
  // On a shared PostgreSQL server, QBC_E2E_DATABASE gives a run a database of its own (a plain identifier).
  databaseName: /^[a-z_][a-z0-9_]*$/.test(process.env.QBC_E2E_DATABASE ?? "") ? process.env.QBC_E2E_DATABASE! : "qbc_e2e",
  password: "e2e-password-1",
  clientSecret: "emulator-client-secret",
  appEnv: {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_URL: appUrl,
    AUTH_SECRET: "e2e-auth-secret-that-is-long-enough-0123456789",
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64"),
    SEED_PASSWORD: "e2e-password-1",
    // The browser tests move Intuit's clock and expire tokens on purpose; a sweep renewing them meanwhile would race.
    QBC_BACKGROUND_JOBS: "off",
    INTUIT_ENVIRONMENT: "sandbox",
    // The emulator plays Intuit. The platform has no Intuit app of its own: each tenant's admin enters one
    // (e2e/seed-intuit-credentials.ts does it for Acme).
    INTUIT_DISCOVERY_URL: `${emulatorUrl}/.well-known/openid_sandbox_configuration`,
    QBO_API_BASE_URL: emulatorUrl,
    // The emulator can send signed test webhooks ("Send test webhook"), with the verifier token both sides share.
    EMULATOR_URL: emulatorUrl,
    INTUIT_WEBHOOK_VERIFIER_TOKEN: "e2e-webhook-verifier-token",
  },
  emulatorEnv: {
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_REDIRECT_URIS: `${appUrl}/api/quickbooks/callback`,
    EMULATOR_WEBHOOK_VERIFIER_TOKEN: "e2e-webhook-verifier-token",
  },
} as const;
