export * from "./identity";
export * from "./quickbooks";
export * from "./audit";
