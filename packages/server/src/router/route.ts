import type { ClientOp, ReplyOf, RequestOf } from "@parley/protocol";
import type { z } from "zod";
import type { ChannelHub } from "../delivery/channel-hub";
import type { UserTopic } from "../delivery/user-topic";
import type { Connection } from "../gateway/connection";
import type { Services } from "../services/services";

/** What the router gives every guard and handler: the services and the node's delivery. */
export interface ConnectionContext {
  conn: Connection;
  services: Services;
  /** Channel streams to this node's sockets. */
  hub: ChannelHub;
  /** Users' own topics to their connections on this node. */
  users: UserTopic;
}

/** What a guard and a handler see of one request. */
export interface RequestContext<O extends ClientOp = ClientOp> extends ConnectionContext {
  data: RequestOf<O>;
  requestId: number | undefined;
  /** Callbacks the router runs after it sent the reply or the error (ordering of later frames). */
  after: (() => void)[];
}

/** A small check that throws a ParleyError to refuse a request. Synchronous where it can be. */
export type Guard = (ctx: RequestContext) => void | Promise<void>;

/** One op's entry in the registry: its schema, its guards in order, its handler. */
export interface Route<O extends ClientOp> {
  schema: z.ZodType<RequestOf<O>>;
  guards: readonly Guard[];
  /** Returns the op's reply payload (`{}` for an empty reply). */
  handle(ctx: RequestContext<O>): ReplyOf<O> | Promise<ReplyOf<O>>;
}

/** Builds a route with its payload type tied to its op. */
export function route<O extends ClientOp>(r: Route<O>): Route<O> {
  return r;
}
