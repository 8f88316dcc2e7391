export * from "./admin";
export * from "./channel-state";
export * from "./client";
export * from "./emitter";
export * from "./failover-socket";
export * from "./files";
