// The sandbox-first rule: a production sync needs the current mapping set to have passed validation against the
// sandbox company, so a wrong mapping is found where it costs nothing, and every mapping of it resolved in the
// production company and confirmed by an accountant (account ids differ between the two companies; issue 17).

/** What the rule reads of the latest sandbox validation. */
export interface SandboxValidationFacts {
  passed: boolean;
  /** It validated the mapping set as it is now (the fingerprints agree). */
  current: boolean;
  issues: readonly unknown[];
}

/** How many mapped accounts the set has, and how many have a production account confirmed in this company. */
export interface ProductionCoverageFacts {
  mapped: number;
  confirmed: number;
}

/**
 * Why a production sync may not run, or null when it may. `validation`: the latest sandbox validation, if any;
 * `coverage`: the set's production resolution for the connected production company.
 */
export function productionSyncBlocker(validation: SandboxValidationFacts | null, coverage: ProductionCoverageFacts): string | null {
  if (!validation) return "The mappings have never been validated in the sandbox. Validate them against the sandbox company first.";
  if (!validation.current) return "The mappings changed since their last sandbox validation. Validate them in the sandbox again.";
  if (!validation.passed) return `The last sandbox validation found ${validation.issues.length} problem(s). Fix them and validate again.`;
  const unresolved = coverage.mapped - coverage.confirmed;
  if (unresolved > 0) {
    return `${unresolved} of ${coverage.mapped} mapped accounts have no production account confirmed for this company. Resolve the mappings in production and confirm them.`;
  }
  return null;
}
