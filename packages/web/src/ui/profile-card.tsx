import { isDeletedUsername, LIMITS, Role, type Self } from "@parley/protocol";
import { useEffect, useId, useRef, useState } from "react";
import { type ChannelView, muteAfter } from "../chat/channel-view";
import { isDirect } from "../chat/chat-state";
import { type ChatStore, CommandRefusedError, errorText } from "../chat/chat-store";
import { displayName } from "../chat/people";
import {
  type CommandAction,
  DURATIONS,
  type Profile,
  ProfileInputError,
  profileActions,
  profileCommand,
} from "../chat/profile-actions";
import { Avatar } from "./avatar";
import { DialogForm, FormError, useFormAction } from "./form-dialog";
import { Modal, type ModalAnchor } from "./modal";
import "./profile-card.css";

/** The moderation actions that ask for more first: a reason, and for mute and ban a duration. */
type FormAction = "mute" | "kick" | "ban";

type Step =
  | { kind: "card" }
  | { kind: "form"; action: FormAction }
  /** A ban, asked once more before it is sent. */
  | { kind: "confirm"; duration: string; reason: string };

const LABELS: Readonly<Record<CommandAction, string>> = {
  mute: "Mute…",
  unmute: "Unmute",
  kick: "Kick…",
  ban: "Ban…",
  grantModerator: "Make moderator",
  revokeModerator: "Remove moderator",
};

const ROLE_NAMES: Readonly<Record<Role, string>> = {
  [Role.Owner]: "Owner",
  [Role.Moderator]: "Moderator",
  [Role.Member]: "Member",
};

const FORM_ACTIONS: readonly string[] = ["mute", "kick", "ban"] satisfies FormAction[];

function durationLabel(value: string): string {
  return DURATIONS.find((d) => d.value === value)?.label.toLowerCase() ?? value;
}

/** Where the card is opened, and by whom. */
export interface ProfileCardProps {
  store: ChatStore;
  /** The channel it was opened in: the role shown and the moderation offered are for it. */
  view: ChannelView;
  me: Self;
  profile: Profile;
  blocked: boolean;
  /** Where it opens on a wide screen (a phone shows a bottom sheet). */
  anchor?: ModalAnchor;
  /** Takes focus on close when what opened the card is gone (a member row, after a kick). */
  fallbackFocus?: () => HTMLElement | null | undefined;
  onClose: () => void;
  /** "Message" opened this DM. */
  onOpened: (channelId: number) => void;
}

/**
 * A person's card: avatar, display name and username, status text, account or guest, presence,
 * role here, and what the viewer may
 * do (`profileActions`): message them, block them and, for those who outrank them, moderate.
 * Moderation goes through the same slash commands the composer sends, so the server checks every
 * permission; its refusal is shown in the card, and the card closes once an action is done.
 */
export function ProfileCard({
  store,
  view,
  me,
  profile,
  blocked,
  anchor,
  fallbackFocus,
  onClose,
  onOpened,
}: ProfileCardProps) {
  const { target, online, guest } = profile;
  const name = target.n;
  const direct = isDirect(view.summary);
  const channel = `#${view.summary.n}`;
  const muted = muteAfter(undefined, view.items, target.i, Date.now()) !== undefined;
  const actions = profileActions(target, {
    me,
    myRole: view.summary.rl,
    direct,
    blocked,
    muted,
  });
  const moderation = actions.filter(
    (a): a is CommandAction => a !== "message" && a !== "block" && a !== "unblock",
  );
  const [step, setStep] = useState<Step>({ kind: "card" });
  const [duration, setDuration] = useState("");
  const [reason, setReason] = useState("");
  const body = useRef<HTMLDivElement>(null);
  const moderationId = useId();
  const form = useFormAction(async () => {
    if (step.kind === "form" && step.action === "ban") {
      profileCommand("ban", name, { duration, reason });
      setStep({ kind: "confirm", duration, reason });
      return;
    }
    const action = step.kind === "form" ? step.action : "ban";
    await command(action, { duration, reason });
  }, errorOf);

  // Each step starts at its first field, or at its safe choice (marked `data-autofocus`).
  useEffect(() => {
    if (step.kind === "card") return;
    body.current?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
  }, [step]);

  async function command(action: CommandAction, options: { duration?: string; reason?: string }) {
    await store.command(view.id, profileCommand(action, name, options));
    onClose();
  }

  const open = (action: CommandAction) => {
    if (FORM_ACTIONS.includes(action)) {
      setDuration(action === "mute" ? "1h" : "");
      setReason("");
      setStep({ kind: "form", action: action as FormAction });
    } else {
      void form.run(() => command(action, {}));
    }
  };
  const back = () => setStep({ kind: "card" });

  return (
    <Modal
      title={displayName(target)}
      lead={<Avatar name={name} av={isDeletedUsername(name) ? undefined : target.av} size="lg" />}
      className="profile-card"
      {...(anchor ? { anchor } : {})}
      {...(fallbackFocus ? { fallbackFocus } : {})}
      onClose={onClose}
    >
      <div ref={body} className="profile-body" data-testid="profile-card">
        {step.kind === "card" && (
          <>
            <ul className="profile-facts">
              {!isDeletedUsername(name) && <li className="profile-handle">@{name}</li>}
              {target.sx && !isDeletedUsername(name) && (
                <li className="profile-status" data-testid="profile-status">
                  <bdi>{target.sx}</bdi>
                </li>
              )}
              {guest !== undefined && <li>{guest ? "Guest" : "Account"}</li>}
              {online !== undefined && (
                <li>
                  <span
                    className={`profile-presence ${online ? "on" : "off"}`}
                    aria-hidden="true"
                  />
                  {online ? "Online" : "Offline"}
                </li>
              )}
              {!direct && (
                <li>
                  {target.rl !== undefined
                    ? `${ROLE_NAMES[target.rl]} in ${channel}`
                    : `Not a member of ${channel}`}
                </li>
              )}
            </ul>
            <FormError error={form.error} />
            {actions.length > 0 && (
              <div className="profile-actions">
                <button
                  type="button"
                  className="button button-primary"
                  disabled={form.busy}
                  onClick={() =>
                    void form.run(async () => {
                      const id = await store.openDm([name]);
                      onClose();
                      onOpened(id);
                    })
                  }
                >
                  Message
                </button>
                <button
                  type="button"
                  className="button"
                  disabled={form.busy}
                  onClick={() => void form.run(() => store.block(name, !blocked))}
                >
                  {blocked ? "Unblock" : "Block"}
                </button>
              </div>
            )}
            {moderation.length > 0 && (
              <section className="profile-moderation" aria-labelledby={moderationId}>
                <h3 className="field-label" id={moderationId}>
                  Moderate in {channel}
                </h3>
                <div className="profile-actions">
                  {moderation.map((action) => (
                    <button
                      key={action}
                      type="button"
                      className={`button${action === "kick" || action === "ban" ? " button-danger-ghost" : ""}`}
                      disabled={form.busy}
                      aria-haspopup={FORM_ACTIONS.includes(action) ? "dialog" : undefined}
                      onClick={() => open(action)}
                    >
                      {LABELS[action]}
                    </button>
                  ))}
                </div>
              </section>
            )}
          </>
        )}
        {step.kind === "form" && (
          <DialogForm
            form={form}
            onCancel={back}
            cancelLabel="Back"
            danger={step.action !== "mute"}
            submitLabel={
              step.action === "mute" ? "Mute" : step.action === "kick" ? "Kick" : "Continue"
            }
          >
            <p className="modal-text">
              {step.action === "mute" &&
                `Mute ${name} in ${channel}: they can still read, but not send, react or type.`}
              {step.action === "kick" && `Remove ${name} from ${channel}. They may join again.`}
              {step.action === "ban" &&
                `Remove ${name} from ${channel} and refuse their return until the ban ends.`}
            </p>
            {step.action !== "kick" && (
              <label className="field">
                <span className="field-label">Duration</span>
                <select
                  name="duration"
                  data-autofocus
                  value={duration}
                  onChange={(e) => setDuration(e.target.value)}
                >
                  {DURATIONS.map((d) => (
                    <option key={d.value} value={d.value}>
                      {d.label}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label className="field">
              <span className="field-label">Reason (optional)</span>
              <input
                name="reason"
                maxLength={LIMITS.topicMax}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                {...(step.action === "kick" ? { "data-autofocus": true } : {})}
              />
              <span className="field-hint">Kept in the moderation log.</span>
            </label>
          </DialogForm>
        )}
        {step.kind === "confirm" && (
          <DialogForm
            form={form}
            onCancel={back}
            cancelLabel="Back"
            cancelFocused
            danger
            submitLabel={`Ban ${name}`}
          >
            <p className="modal-text">
              Ban <strong>{name}</strong> from {channel}{" "}
              {step.duration ? `for ${durationLabel(step.duration)}` : "until the ban is lifted"}?
              {step.reason && ` Reason: ${step.reason}.`}
            </p>
          </DialogForm>
        )}
      </div>
    </Modal>
  );
}

/** A refused action's text: a command's as the store words it, the card's own, or the server's. */
function errorOf(err: unknown): string {
  return err instanceof CommandRefusedError || err instanceof ProfileInputError
    ? err.message
    : errorText(err);
}
