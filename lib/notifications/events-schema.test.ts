import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, EVENT_VERSION } from "./events";

// docs/notification-events.schema.json documents the payload posted to tenants' endpoints; events.ts is the source of
// truth. A type added to the vocabulary without its branch in the schema (or a branch left behind) fails here.

interface Branch {
  properties?: { type?: { const?: unknown }; data?: { $ref?: unknown } };
}
interface Schema {
  $schema: string;
  required: string[];
  properties: { version: { const: unknown } };
  oneOf: Branch[];
  $defs: Record<string, { required?: string[]; properties?: Record<string, unknown> }>;
}

const schema = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../docs/notification-events.schema.json"), "utf8")) as Schema;

describe("the notification payload schema", () => {
  it("is JSON Schema 2020-12 with the envelope's fields", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.required).toEqual(["type", "version", "id", "timestamp", "tenant", "data"]);
    expect(schema.properties.version.const).toBe(EVENT_VERSION);
  });

  it("has exactly one branch for every event type, and none for anything else", () => {
    const types = schema.oneOf.map((branch) => branch.properties?.type?.const);
    for (const type of EVENT_TYPES) expect(types.filter((t) => t === type), type).toHaveLength(1);
    expect([...types].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it("gives each branch a data definition whose properties are all required", () => {
    for (const branch of schema.oneOf) {
      const type = String(branch.properties?.type?.const);
      expect(branch.properties?.data?.$ref, type).toBe(`#/$defs/${type}`);
      const definition = schema.$defs[type];
      expect(definition, type).toBeDefined();
      expect([...(definition?.required ?? [])].sort(), type).toEqual(Object.keys(definition?.properties ?? {}).sort());
    }
  });
});
