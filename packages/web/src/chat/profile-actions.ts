import {
  isDeletedUsername,
  type Member,
  may,
  Role,
  rankOf,
  type Self,
  type UserRef,
} from "@parley/protocol";
import { userRefOf } from "./people";

/** What a profile card may offer, in the order it shows them. */
export type ProfileAction =
  | "message"
  | "block"
  | "unblock"
  | "mute"
  | "unmute"
  | "kick"
  | "ban"
  | "grantModerator"
  | "revokeModerator";

/** The person a card shows: a member of the channel (with `rl`), or an author who is not one. */
export interface ProfileTarget extends UserRef {
  /** Their role in the channel; absent when they are not a member (left, kicked). */
  rl?: Role;
}

/** Who a card shows, from the member lists the client holds. */
export interface Profile {
  target: ProfileTarget;
  /** Online now; undefined when no list held says (an author seen in none of them). */
  online: boolean | undefined;
  /** Whether they are a guest; undefined when no list held says. */
  guest: boolean | undefined;
}

/**
 * The card's person: as a member of `channelId` when they are one (role, presence, guest,
 * profile); else as the other member lists show them (presence, guest and profile, no role);
 * else by id and name, with the profile last heard of under that name (`people`) if any (an
 * author who left every channel the user shares with them).
 */
export function profileOf(
  members: Readonly<Record<number, readonly Member[]>>,
  channelId: number,
  user: Pick<UserRef, "i" | "n">,
  people: Readonly<Record<number, UserRef>> = {},
): Profile {
  const here = members[channelId]?.find((m) => m.i === user.i);
  const seen =
    here ??
    Object.values(members)
      .flat()
      .find((m) => m.i === user.i);
  const heard = people[user.i];
  const known = seen ?? (heard?.n === user.n ? heard : undefined);
  const target: ProfileTarget = {
    ...(known ? userRefOf(known) : { i: user.i, n: user.n }),
    ...(here ? { rl: here.rl } : {}),
  };
  return { target, online: seen?.on, guest: seen ? seen.g === true : undefined };
}

/** Where and by whom a card is opened. */
export interface ProfileContext {
  me: Self;
  /** The viewer's role in the channel (absent when not a member, e.g. an admin looking in). */
  myRole: Role | undefined;
  /** The channel is a DM: it has no roles, so no moderation. */
  direct: boolean;
  /** The viewer blocked the target. */
  blocked: boolean;
  /** The target is muted here, as far as the events held tell. */
  muted: boolean;
}

/**
 * The actions a viewer gets on a target's card, decided as the server decides them
 * (`ModerationService`): nothing on one's own card; a DM and a block for anyone else; in a
 * channel, moderation only by a non-guest who outranks the target (`rankOf`), each action as the
 * permission table allows (`may`). Kick and mute need a member; ban and unmute do not. Only a
 * plain member becomes a moderator (never a guest, who ranks as a member whatever its role) and
 * only a moderator stops being one.
 *
 * Two things the client cannot know are left to the server, which refuses with its own error:
 * whether the target is a server admin (the wire does not say), and a mute older than the events
 * held (then "Mute" shows where "Unmute" would fit; `/unmute` still works).
 */
export function profileActions(target: ProfileTarget, ctx: ProfileContext): ProfileAction[] {
  // Nobody acts as oneself, nor on a deleted account: it cannot read, send or be messaged.
  if (target.i === ctx.me.i || isDeletedUsername(target.n)) return [];
  const actions: ProfileAction[] = ["message", ctx.blocked ? "unblock" : "block"];
  if (ctx.direct || (ctx.me.g && !ctx.me.ad)) return actions;
  const rank = rankOf(ctx.myRole, { isGuest: ctx.me.g === true, isAdmin: ctx.me.ad === true });
  const targetRank = rankOf(target.rl, { isGuest: target.g === true, isAdmin: false });
  if (targetRank >= rank) return actions;
  const member = target.rl !== undefined;
  if (may("mute", rank) && (ctx.muted || member)) actions.push(ctx.muted ? "unmute" : "mute");
  if (may("kick", rank) && member) actions.push("kick");
  if (may("ban", rank)) actions.push("ban");
  if (may("grantModerator", rank) && target.rl === Role.Member && !target.g)
    actions.push("grantModerator");
  if (may("revokeModerator", rank) && target.rl === Role.Moderator) actions.push("revokeModerator");
  return actions;
}

/** A duration a mute or ban may be given, as the command writes it; `""` is indefinite. */
export interface DurationChoice {
  label: string;
  value: string;
}

/** The durations the card offers (the commands take any from 1s to 28d). */
export const DURATIONS: readonly DurationChoice[] = [
  { label: "10 minutes", value: "10m" },
  { label: "1 hour", value: "1h" },
  { label: "1 day", value: "1d" },
  { label: "7 days", value: "7d" },
  { label: "28 days", value: "28d" },
  { label: "Until lifted", value: "" },
];

/** The card's actions that are slash commands, by the command's name. */
export type CommandAction = Exclude<ProfileAction, "message" | "block" | "unblock">;

const COMMANDS: Readonly<Record<CommandAction, string>> = {
  mute: "mute",
  unmute: "unmute",
  kick: "kick",
  ban: "ban",
  grantModerator: "mod",
  revokeModerator: "unmod",
};

/** A card's input the command could not carry as meant (the server is not asked). */
export class ProfileInputError extends Error {}

/** A word the server would read as a duration (`durationAndReason` in the command service). */
const DURATION_LIKE = /^\d+[a-z]*$/i;

/**
 * The slash command a card action sends (the composer's Command op), e.g.
 * `/ban @zoe 1d spamming links`. A reason is one line; a reason whose first word looks like a
 * duration with no duration chosen is refused here, because the server would take that word
 * as the duration.
 */
export function profileCommand(
  action: CommandAction,
  name: string,
  options: { duration?: string; reason?: string } = {},
): string {
  const reason = (options.reason ?? "").replace(/\s+/g, " ").trim();
  const timed = action === "mute" || action === "ban";
  const duration = timed ? (options.duration ?? "") : "";
  const takesReason = timed || action === "kick";
  if (timed && !duration && DURATION_LIKE.test(reason.split(" ")[0] ?? "")) {
    throw new ProfileInputError("Start the reason with a word, or choose a duration");
  }
  return [`/${COMMANDS[action]}`, `@${name}`, duration, takesReason ? reason : ""]
    .filter(Boolean)
    .join(" ");
}
