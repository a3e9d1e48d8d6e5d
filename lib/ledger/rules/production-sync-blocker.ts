// The sandbox-first rule: a production sync needs the current mapping set to have passed validation against the
// sandbox company, so a wrong mapping is found where it costs nothing.

/** What the rule reads of the latest sandbox validation. */
export interface SandboxValidationFacts {
  passed: boolean;
  /** It validated the mapping set as it is now (the fingerprints agree). */
  current: boolean;
  issues: readonly unknown[];
}

/** Why a production sync may not run, or null when it may. `validation`: the latest sandbox validation, if any. */
export function productionSyncBlocker(validation: SandboxValidationFacts | null): string | null {
  if (!validation) return "The mappings have never been validated in the sandbox. Validate them against the sandbox company first.";
  if (!validation.current) return "The mappings changed since their last sandbox validation. Validate them in the sandbox again.";
  if (!validation.passed) return `The last sandbox validation found ${validation.issues.length} problem(s). Fix them and validate again.`;
  return null;
}
