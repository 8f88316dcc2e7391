export * from "./channel-state";
export * from "./client";
export * from "./emitter";
