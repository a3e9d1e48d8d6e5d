import { describe, expect, it } from "vitest";
import { productionSyncBlocker } from "./production-sync-blocker";

const allConfirmed = { mapped: 24, confirmed: 24 };

describe("productionSyncBlocker", () => {
  it("lets a production sync run only after a passed validation of the current mappings in the sandbox, all confirmed in production", () => {
    expect(productionSyncBlocker({ passed: true, current: true, issues: [] }, allConfirmed)).toBeNull();
    expect(productionSyncBlocker({ passed: true, current: true, issues: [] }, { mapped: 0, confirmed: 0 })).toBeNull();
  });

  it("says what to do when there is no sandbox validation, an outdated one or a failed one", () => {
    expect(productionSyncBlocker(null, allConfirmed)).toContain("never been validated in the sandbox");
    expect(productionSyncBlocker({ passed: true, current: false, issues: [] }, allConfirmed)).toContain("changed since their last sandbox validation");
    expect(productionSyncBlocker({ passed: false, current: true, issues: [{}, {}] }, allConfirmed)).toBe("The last sandbox validation found 2 problem(s). Fix them and validate again.");
    // An outdated validation is outdated whatever it found.
    expect(productionSyncBlocker({ passed: false, current: false, issues: [{}] }, allConfirmed)).toContain("changed since");
  });

  it("needs every mapped account resolved in the production company and confirmed", () => {
    expect(productionSyncBlocker({ passed: true, current: true, issues: [] }, { mapped: 24, confirmed: 21 })).toBe(
      "3 of 24 mapped accounts have no production account confirmed for this company. Resolve the mappings in production and confirm them.",
    );
    // The sandbox comes first: its problems are named before production's.
    expect(productionSyncBlocker(null, { mapped: 24, confirmed: 0 })).toContain("never been validated in the sandbox");
  });
});
