import type { ExportService } from "../export/export-service";
import type { RateLimiter, RateRules } from "../rate-limit/rate-limiter";
import type { AdminService } from "./admin-service";
import type { AuthService } from "./auth-service";
import type { ChannelAdmin } from "./channel-admin";
import type { ChannelService } from "./channel-service";
import type { CommandService } from "./command-service";
import type { DirectService } from "./direct-service";
import type { FileService } from "./file-service";
import type { InviteService } from "./invite-service";
import type { MemberStateService } from "./member-state-service";
import type { MessageService } from "./message-service";
import type { ModerationService } from "./moderation-service";
import type { PresenceService } from "./presence-service";
import type { ProfileService } from "./profile-service";
import type { PushService } from "./push-service";
import type { ReportService } from "./report-service";
import type { SearchService } from "./search-service";
import type { ServerInvites } from "./server-invites";
import type { SettingsService } from "./settings-service";
import type { TypingService } from "./typing-service";
import type { UserLifecycle } from "./user-lifecycle";

/** Runtime settings handlers need. */
export interface RuntimeSettings {
  heartbeatMs: number;
  /** Most events replayed per channel on resume before the server answers "resync". */
  resumeMax: number;
  limits: Record<string, number>;
  /** Open connections one user may have on this node. */
  maxConnectionsPerUser: number;
}

/** The services handlers and the HTTP API call, with the settings they need. Knows no sockets. */
export interface Services {
  auth: AuthService;
  channels: ChannelService;
  invites: InviteService;
  messages: MessageService;
  typing: TypingService;
  presence: PresenceService;
  commands: CommandService;
  moderation: ModerationService;
  memberState: MemberStateService;
  push: PushService;
  /** Direct messages and blocks. */
  direct: DirectService;
  /** Uploads, downloads and signed file links (HTTP only). */
  files: FileService;
  /** Message search. */
  search: SearchService;
  /** Reports of messages to moderators and admins. */
  reports: ReportService;
  /** What server admins do through the admin API. */
  admin: AdminService;
  /** What server admins do to accounts themselves: rename, deactivate, delete. */
  accounts: UserLifecycle;
  /** What server admins do to channels: list, owner, archive, delete. */
  channelAdmin: ChannelAdmin;
  /** What accounts show of themselves: display name, status, avatar. */
  profiles: ProfileService;
  /** Data exports: a user's own, and a channel's for admins. */
  exports: ExportService;
  /** Server invites, for registering while registration is invite-only. */
  serverInvites: ServerInvites;
  /** The server settings admins change live. */
  serverSettings: SettingsService;
  /** Rate limits: the limiter and the rules of its buckets. */
  rate: { limiter: RateLimiter; rules: RateRules };
  settings: RuntimeSettings;
}
