export * from "./identity";
export * from "./quickbooks";
export * from "./audit";
export * from "./settings";
export * from "./webhooks";
export * from "./api-keys";
export * from "./api-limits";
