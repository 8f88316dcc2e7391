import { type ClientOp, Op } from "./ops";
import type {
  BlockChangedPush,
  ChannelAddedPush,
  ChannelInfoReply,
  ChannelListReply,
  ChannelRemovedPush,
  CommandReply,
  DeleteAck,
  EditAck,
  EmptyPayload,
  ErrorPayload,
  EventsPush,
  HistoryPage,
  InviteCreateReply,
  InviteListReply,
  InviteUserReply,
  JoinReply,
  MemberListReply,
  MessageAck,
  MessageReportReply,
  MessageVersionsReply,
  NotifySetting,
  PingReply,
  PinListReply,
  PresenceBatchPush,
  PresencePush,
  ReadState,
  ReportChangedPush,
  ReportListReply,
  ReportResolveReply,
  SearchReply,
  TypingPush,
  UserUpdatedPush,
  WelcomeReply,
} from "./types";

/**
 * `T` itself, provided its keys are exactly `K`: a key of `K` that `T` lacks, or a key of `T`
 * outside `K`, fails to compile and names the op at fault. Keeps the maps below in step with
 * the op lists in `ops.ts`.
 */
export type Exhaustive<
  K extends PropertyKey,
  T extends Record<K, unknown> & Record<Exclude<keyof T, K>, never>,
> = T;

/**
 * The success reply payload of every client op (an error reply is op 0 with an ErrorPayload
 * instead). Exhaustive over {@link ClientOp}: a new client op without a reply type fails here,
 * and the server's handlers and the SDK's `request` are typed from it.
 */
export type ReplyMap = Exhaustive<
  ClientOp,
  {
    [Op.Hello]: WelcomeReply;
    [Op.Ping]: PingReply;
    [Op.ChannelList]: ChannelListReply;
    [Op.ChannelCreate]: JoinReply;
    [Op.ChannelJoin]: JoinReply;
    [Op.ChannelLeave]: EmptyPayload;
    [Op.ChannelInfo]: ChannelInfoReply;
    [Op.MessageSend]: MessageAck;
    [Op.History]: HistoryPage;
    [Op.Typing]: EmptyPayload;
    [Op.ReactionAdd]: EmptyPayload;
    [Op.ReactionRemove]: EmptyPayload;
    [Op.MessageEdit]: EditAck;
    [Op.MessageDelete]: DeleteAck;
    [Op.MessageVersions]: MessageVersionsReply;
    [Op.MessagePin]: EmptyPayload;
    [Op.PinList]: PinListReply;
    [Op.Command]: CommandReply;
    [Op.InviteUser]: InviteUserReply;
    [Op.InviteCreate]: InviteCreateReply;
    [Op.InviteList]: InviteListReply;
    [Op.InviteRevoke]: EmptyPayload;
    [Op.InviteRedeem]: JoinReply;
    [Op.MarkRead]: ReadState;
    [Op.SetNotify]: NotifySetting;
    [Op.PushSubscribe]: EmptyPayload;
    [Op.PushUnsubscribe]: EmptyPayload;
    [Op.DmOpen]: JoinReply;
    [Op.UserBlock]: EmptyPayload;
    [Op.Search]: SearchReply;
    [Op.LinkPreviewRemove]: EmptyPayload;
    [Op.MessageReport]: MessageReportReply;
    [Op.ReportList]: ReportListReply;
    [Op.ReportResolve]: ReportResolveReply;
    [Op.MemberList]: MemberListReply;
  }
>;

/** The success reply payload of a client op. */
export type ReplyOf<O extends ClientOp> = ReplyMap[O];

/** Ops the server sends without a request: every op that is not a client op. */
export type PushOp = Exclude<Op, ClientOp>;

/**
 * The payload of every server push. Exhaustive over {@link PushOp}: a new op in `Op` that is
 * neither a client op nor listed here fails to compile.
 */
export type PushMap = Exhaustive<
  PushOp,
  {
    /** An error not tied to a request (a frame that could not be decoded); carries no `r`. */
    [Op.Error]: ErrorPayload;
    [Op.Events]: EventsPush;
    [Op.TypingEvent]: TypingPush;
    [Op.PresenceEvent]: PresencePush;
    [Op.PresenceBatch]: PresenceBatchPush;
    [Op.ChannelAdded]: ChannelAddedPush;
    [Op.ChannelRemoved]: ChannelRemovedPush;
    [Op.UserUpdated]: UserUpdatedPush;
    [Op.ReplayDone]: EmptyPayload;
    [Op.ReadState]: ReadState;
    [Op.NotifyChanged]: NotifySetting;
    [Op.BlockChanged]: BlockChangedPush;
    [Op.ReportChanged]: ReportChangedPush;
  }
>;

/** The payload of a push op. */
export type PushOf<P extends PushOp> = PushMap[P];

/**
 * A frame the server sends without a request, discriminated by `o`: switch on it, with a
 * `never` default, and a push op added later fails to compile until it has its case.
 */
export type ServerPush = { [P in PushOp]: { o: P; d: PushMap[P] } }[PushOp];
