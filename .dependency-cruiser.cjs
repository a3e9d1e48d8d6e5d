// The direction dependencies may point in, checked in CI (`npm run check:deps`, .ci/run):
//
//   app → components → lib → db        and nothing of the product reaches into mocks, tests, e2e, bench or scripts.
//
// A layer that may import the one above it is not a layer: a lib module importing a component drags React into a
// cron job, a db module importing lib/auth ties the schema to the sign-in code, and a cycle makes the load order (and
// so the value of a module-level constant) depend on which file was imported first. Written down as rules, the
// direction survives the next hurried import; written only in the README, it did not (style.md, "Lessons").
//
// Test files are test code wherever they sit, so the product rules below leave them out with TEST_FILE. A test beside
// the code tests a pure unit: the database and the emulator are for tests/ (rule "colocated-tests-are-pure").

// A CommonJS file, as dependency-cruiser's configs are: require() is how it imports.
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require("node:fs");
const path = require("node:path");
/* eslint-enable @typescript-eslint/no-require-imports */

const TEST_FILE = "\\.test\\.tsx?$";
const PRODUCT = "^(app|components|lib|db)/";

/** Files under the given folders whose text matches `pattern`, as regular expressions for a rule's `path`. */
function filesStartingWith(folders, pattern) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && pattern.test(fs.readFileSync(full, "utf8"))) found.push(full);
    }
  };
  for (const folder of folders) if (fs.existsSync(path.join(__dirname, folder))) walk(path.join(__dirname, folder));
  return found.map((file) => `^${path.relative(__dirname, file).split(path.sep).join("/").replace(/[.()[\]]/g, "\\$&")}$`);
}

// Read from the files themselves, so a new client component or server module is covered without editing a list.
// "use client" counts only before any statement (comments may precede it), as for React; `import "server-only"` is
// create-t3-app's marker of a module that must never reach the browser.
const CLIENT_FILES = filesStartingWith(["app", "components"], /^(?:\s*\/\/[^\n]*\n|\s*\/\*[\s\S]*?\*\/)*\s*["']use client["']/);
const SERVER_ONLY_FILES = filesStartingWith(["app", "components", "lib", "db"], /^\s*import\s+["']server-only["']/m);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "A cycle means neither module can be read, tested or moved without the other, and the one imported first sees " +
        "the other half-initialised (an undefined constant at load time). Break it by moving the shared part down.",
      from: {},
      to: { circular: true },
    },
    {
      name: "components-not-to-app",
      severity: "error",
      comment:
        "Components are used by pages; a component importing a page or a route (or a server action) turns the tree " +
        "upside down. Pass what it needs as props, or move the shared code into lib/.",
      from: { path: "^components/", pathNot: TEST_FILE },
      to: { path: "^app/" },
    },
    {
      name: "lib-not-to-app-or-components",
      severity: "error",
      comment:
        "lib/ is the domain and its use-cases: jobs, routes and scripts all call it, so it cannot depend on pages, " +
        "route handlers or React components. What both need belongs in lib/.",
      from: { path: "^lib/", pathNot: TEST_FILE },
      to: { path: "^(app|components)/" },
    },
    {
      name: "db-only-to-env",
      severity: "error",
      comment:
        "db/ (schema, client, migrations, seed) sits under everything else; the only thing it reads from lib/ is the " +
        "validated configuration (lib/env.ts). Anything else it needs (password hashing for the seed) is passed in, " +
        "and seed data lives beside the seed, so the schema never depends on domain code that depends on the schema.",
      from: { path: "^db/", pathNot: TEST_FILE },
      to: { path: "^(lib|app|components)/", pathNot: "^lib/env\\.ts$" },
    },
    {
      name: "ui-not-to-database",
      severity: "error",
      comment:
        "Pages, route handlers and components reach the database only through lib/'s use-cases, where the tenant " +
        "filter and the audit write live: an app/ file holds no business logic. Allowed: type-only imports (the " +
        "schema's vocabulary, e.g. ConnectionStatus) and db/unavailable.ts, which only tells an action that the " +
        "database is out of reach so that it can say so.",
      from: { path: "^(app|components)/", pathNot: TEST_FILE },
      to: { path: "^db/", pathNot: "^db/unavailable\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "product-not-to-test-code",
      severity: "error",
      comment:
        "The product never imports the Intuit emulator or test helpers: they would ship in the server bundle, and a " +
        "test seam in product code is a way to behave differently under test. Tests pass the emulator in (MSW, fetch).",
      from: { path: PRODUCT, pathNot: TEST_FILE },
      to: { path: "^(mocks|tests)/" },
    },
    {
      name: "colocated-tests-are-pure",
      severity: "error",
      comment:
        "A *.test.ts beside the code tests a pure unit, so that `lib/x/y.test.ts` runs in milliseconds and fails only " +
        "for y's logic. A test that needs the database, the emulator or the test helpers lives in tests/ (README, Layout).",
      from: { path: `${PRODUCT}.*${TEST_FILE}` },
      to: { path: ["^(mocks|tests)/", "^db/(index|client|migrate)\\.ts$"] },
    },
    {
      name: "product-not-to-tooling",
      severity: "error",
      comment:
        "e2e/, bench/ and scripts/ drive the product from outside (browser tests, benchmarks, dev start-up); the " +
        "product importing them would make a tool part of what is deployed.",
      from: { path: PRODUCT, pathNot: TEST_FILE },
      to: { path: "^(e2e|bench|scripts)/" },
    },
    {
      name: "client-not-to-server-only",
      severity: "error",
      comment:
        "A 'use client' file is bundled for the browser; importing a module marked `import \"server-only\"` (secrets, " +
        "the database, tokens) fails the build at best. Type-only imports are allowed: they are erased.",
      from: { path: CLIENT_FILES.length > 0 ? CLIENT_FILES : "^$" },
      to: {
        path: SERVER_ONLY_FILES.length > 0 ? [...SERVER_ONLY_FILES, "^node_modules/server-only/"] : "^node_modules/server-only/",
        dependencyTypesNot: ["type-only"],
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.next|\\.data)/" },
    // Type-only imports count: a type that crosses a layer couples the two as much as a value does.
    tsPreCompilationDeps: true,
    // The `@/` path alias and the bundler resolution come from tsconfig.json.
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
