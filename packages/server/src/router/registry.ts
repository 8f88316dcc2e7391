import { type ClientOp, Op } from "@parley/protocol";
import { channelCreate } from "../handlers/channel-create";
import { channelInfo } from "../handlers/channel-info";
import { channelJoin } from "../handlers/channel-join";
import { channelLeave } from "../handlers/channel-leave";
import { channelList } from "../handlers/channel-list";
import { command } from "../handlers/command";
import { dmOpen } from "../handlers/dm-open";
import { hello } from "../handlers/hello";
import { history } from "../handlers/history";
import { inviteCreate } from "../handlers/invite-create";
import { inviteList } from "../handlers/invite-list";
import { inviteRedeem } from "../handlers/invite-redeem";
import { inviteRevoke } from "../handlers/invite-revoke";
import { inviteUser } from "../handlers/invite-user";
import { linkPreviewRemove } from "../handlers/link-preview-remove";
import { markRead } from "../handlers/mark-read";
import { memberList } from "../handlers/member-list";
import { messageDelete } from "../handlers/message-delete";
import { messageEdit } from "../handlers/message-edit";
import { messagePin } from "../handlers/message-pin";
import { messageReport } from "../handlers/message-report";
import { messageSend } from "../handlers/message-send";
import { messageVersions } from "../handlers/message-versions";
import { pinList } from "../handlers/pin-list";
import { ping } from "../handlers/ping";
import { pushSubscribe } from "../handlers/push-subscribe";
import { pushUnsubscribe } from "../handlers/push-unsubscribe";
import { reactionAdd } from "../handlers/reaction-add";
import { reactionRemove } from "../handlers/reaction-remove";
import { reportList } from "../handlers/report-list";
import { reportResolve } from "../handlers/report-resolve";
import { search } from "../handlers/search";
import { setNotify } from "../handlers/set-notify";
import { typing } from "../handlers/typing";
import { userBlock } from "../handlers/user-block";
import type { Route } from "./route";

/** The one registry: op → schema, guards, handler. Exhaustive over the protocol's client ops. */
export const REGISTRY = {
  [Op.Hello]: hello,
  [Op.Ping]: ping,
  [Op.ChannelList]: channelList,
  [Op.ChannelCreate]: channelCreate,
  [Op.ChannelJoin]: channelJoin,
  [Op.ChannelLeave]: channelLeave,
  [Op.ChannelInfo]: channelInfo,
  [Op.MessageSend]: messageSend,
  [Op.History]: history,
  [Op.Typing]: typing,
  [Op.ReactionAdd]: reactionAdd,
  [Op.ReactionRemove]: reactionRemove,
  [Op.MessageEdit]: messageEdit,
  [Op.MessageDelete]: messageDelete,
  [Op.MessageVersions]: messageVersions,
  [Op.MessagePin]: messagePin,
  [Op.LinkPreviewRemove]: linkPreviewRemove,
  [Op.PinList]: pinList,
  [Op.Command]: command,
  [Op.InviteUser]: inviteUser,
  [Op.InviteCreate]: inviteCreate,
  [Op.InviteList]: inviteList,
  [Op.InviteRevoke]: inviteRevoke,
  [Op.InviteRedeem]: inviteRedeem,
  [Op.MarkRead]: markRead,
  [Op.SetNotify]: setNotify,
  [Op.PushSubscribe]: pushSubscribe,
  [Op.PushUnsubscribe]: pushUnsubscribe,
  [Op.DmOpen]: dmOpen,
  [Op.UserBlock]: userBlock,
  [Op.Search]: search,
  [Op.MessageReport]: messageReport,
  [Op.ReportList]: reportList,
  [Op.ReportResolve]: reportResolve,
  [Op.MemberList]: memberList,
} satisfies { [O in ClientOp]: Route<O> };
