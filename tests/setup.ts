// Shared set-up for every Vitest file: a fixed, offline test configuration. Intuit is the MSW emulator at
// http://intuit.test (mocks/intuit); the database is a fresh one per file (tests/database.ts).
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.APP_URL = "http://localhost:3000";
process.env.AUTH_SECRET = "test-auth-secret-that-is-long-enough-0123456789";
process.env.TOKEN_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
process.env.INTUIT_ENVIRONMENT = "sandbox";
process.env.INTUIT_CLIENT_ID = "emulator-client-id";
process.env.INTUIT_CLIENT_SECRET = "emulator-client-secret";
process.env.INTUIT_DISCOVERY_URL = "http://intuit.test/.well-known/openid_sandbox_configuration";
process.env.QBO_API_BASE_URL = "http://intuit.test";
delete process.env.INTUIT_REDIRECT_URI;
