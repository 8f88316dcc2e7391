export * from "./client";
export * from "./emitter";
