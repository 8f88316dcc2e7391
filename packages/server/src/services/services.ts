import type { ChannelHub } from "../gateway/channel-hub";
import type { Connection } from "../gateway/connection";
import type { RateLimiter, RateRules } from "../rate-limit/rate-limiter";
import type { EventLog } from "../storage/event-log";
import type { AuthService } from "./auth-service";
import type { ChannelService } from "./channel-service";
import type { CommandService } from "./command-service";
import type { MessageService } from "./message-service";
import type { ModerationService } from "./moderation-service";
import type { PresenceService } from "./presence-service";
import type { TypingService } from "./typing-service";

/** Runtime settings handlers need. */
export interface RuntimeSettings {
  heartbeatMs: number;
  /** Most events replayed per channel on resume before the server answers "resync". */
  resumeMax: number;
  limits: Record<string, number>;
  /** Open connections one user may have on this node. */
  maxConnectionsPerUser: number;
  /** Whether a username is a server-wide admin. */
  isAdmin: (username: string) => boolean;
}

/** What handlers are given: the services, and the node's delivery hub. */
export interface Services {
  auth: AuthService;
  channels: ChannelService;
  messages: MessageService;
  typing: TypingService;
  presence: PresenceService;
  commands: CommandService;
  moderation: ModerationService;
  hub: ChannelHub;
  /**
   * Rate limits: the limiter, the rules, the error replies a connection may get within the
   * router's refusal window, and what to do with a connection past that.
   */
  rate: {
    limiter: RateLimiter;
    rules: RateRules;
    maxRefusals: number;
    onAbuse: (conn: Connection) => void;
  };
  /** Read-only snapshot reads that need one consistent view (join). */
  storage: Pick<EventLog, "snapshot">;
  settings: RuntimeSettings;
}
