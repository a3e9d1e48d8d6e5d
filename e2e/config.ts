/** One place for the browser tests' ports, URLs and credentials. */
const appPort = 3100;
const emulatorPort = 4110;
const mailSmtpPort = 2125;
const mailWebPort = 2180;
const appUrl = `http://localhost:${appPort}`;
const emulatorUrl = `http://localhost:${emulatorPort}`;

export const E2E = {
  appPort,
  emulatorPort,
  appUrl,
  emulatorUrl,
  /** The local mail catcher (mocks/mail): the app sends its email there; its page is where a person reads it. */
  mailUrl: `http://127.0.0.1:${mailWebPort}`,
  mailEnv: { MAIL_CATCHER_SMTP_PORT: String(mailSmtpPort), MAIL_CATCHER_WEB_PORT: String(mailWebPort) },
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
    SMTP_URL: `smtp://127.0.0.1:${mailSmtpPort}`,
    MAIL_FROM: "QuickBooks Connect <no-reply@awra.test>",
    // The outbound-webhook test's receiver listens on this machine: a private address production refuses by default.
    QBC_WEBHOOKS_PRIVATE_NETWORK: "allow",
  },
  emulatorEnv: {
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_REDIRECT_URIS: `${appUrl}/api/quickbooks/callback`,
    EMULATOR_WEBHOOK_VERIFIER_TOKEN: "e2e-webhook-verifier-token",
  },
} as const;
