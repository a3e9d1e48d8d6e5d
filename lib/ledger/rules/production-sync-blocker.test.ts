import { describe, expect, it } from "vitest";
import { productionSyncBlocker } from "./production-sync-blocker";

describe("productionSyncBlocker", () => {
  it("lets a production sync run only after a passed validation of the current mappings in the sandbox", () => {
    expect(productionSyncBlocker({ passed: true, current: true, issues: [] })).toBeNull();
  });

  it("says what to do when there is no sandbox validation, an outdated one or a failed one", () => {
    expect(productionSyncBlocker(null)).toContain("never been validated in the sandbox");
    expect(productionSyncBlocker({ passed: true, current: false, issues: [] })).toContain("changed since their last sandbox validation");
    expect(productionSyncBlocker({ passed: false, current: true, issues: [{}, {}] })).toBe("The last sandbox validation found 2 problem(s). Fix them and validate again.");
    // An outdated validation is outdated whatever it found.
    expect(productionSyncBlocker({ passed: false, current: false, issues: [{}] })).toContain("changed since");
  });
});
