export * from "./codec";
export * from "./errors";
export * from "./limits";
export * from "./ops";
export * from "./permissions";
export * from "./schemas";
export * from "./types";
export * from "./version";
