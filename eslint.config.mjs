import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    // Every UPDATE and DELETE must say which rows it touches.
    plugins: { drizzle },
    rules: {
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Sealed values are opened in five places only (README, "Secrets at rest"): tokens by the token lifecycle, the
    // seal check that never hands a token out, a tenant's client secret by its Intuit app, a PKCE verifier by the
    // OAuth state, an outbound endpoint's signing secrets to sign a delivery. Anywhere else a decrypt() is a secret
    // leaving its home.
    files: ["app/**", "components/**", "lib/**", "db/**", "mocks/**", "proxy.ts", "instrumentation.ts"],
    ignores: [
      "**/*.test.ts",
      "lib/crypto/**",
      "lib/quickbooks/client/access-token.ts",
      "lib/quickbooks/client/access-token-seal.ts",
      "lib/quickbooks/client/intuit-app.ts",
      "lib/quickbooks/store/oauth-state.ts",
      "lib/notifications/store/endpoint-secrets.ts",
    ],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name='decrypt']", message: "Only the token lifecycle, the seal check, the Intuit app, the OAuth state and the endpoint signer open sealed values." },
      ],
    },
  },
  {
    // Test helpers named use*() register Vitest hooks, not React hooks.
    files: ["tests/**", "**/*.test.ts", "mocks/**", "e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  { ignores: [".next/**", ".data/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
];

export default config;
